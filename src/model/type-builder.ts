/**
 * TypeBox's schema builder, the one value the model's schemas take from TypeBox (types come from
 * `@sinclair/typebox` itself, with `import type`). `npm run build` replaces the compiled form of this file with
 * one module that holds the builder and what it needs (scripts/bundle-type-builder.ts): TypeBox's ESM build is
 * ~200 files, whose loading cost every command ~80 ms of CPU at start; the bundle loads in ~7 ms.
 */
export {Type} from '@sinclair/typebox'
