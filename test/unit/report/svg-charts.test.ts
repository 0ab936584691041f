import {describe, expect, it} from 'vitest'

import {bars, donut, gauge, trendLine} from '../../../src/report/svg-charts.js'

const evil = `</text><script>alert(1)</script><text onload="x">`

describe('inline SVG charts', () => {
  it('draws one arc per non-empty slice, in proportion, with escaped titles', () => {
    const svg = donut([{label: evil, value: 3, cls: 'a'}, {label: 'b', value: 1, cls: 'b'}, {label: 'c', value: 0, cls: 'c'}], '4', evil)
    expect(svg.match(/<circle /g)).toHaveLength(2)
    const c = 2 * Math.PI * 60
    expect(svg).toContain(`stroke-dasharray="${((3 / 4) * c).toFixed(2)} ${((1 / 4) * c).toFixed(2)}"`)
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(donut([], '0', 'none')).toContain('class="empty"')
  })

  it('draws bars in proportion to the largest, labels escaped', () => {
    const svg = bars([{label: evil, value: 10, cls: 'x'}, {label: 'half', value: 5, cls: 'y'}], 'caption', 360)
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]))
    expect(widths[0]).toBeCloseTo(2 * widths[1]!, 1)
    expect(svg).not.toMatch(/<script|onload="/)
  })

  it('shows a score, or a dash when nothing was scored', () => {
    expect(gauge(87.5, 'score')).toContain('>87.5</text>')
    expect(gauge(null, 'score')).toContain('>–</text>')
  })

  it('draws a trend: a dot per scored run at its height, a line through them, labels escaped', () => {
    const svg = trendLine(
      [
        {label: evil, value: 50, title: evil},
        {label: 'b', value: null, title: 'not judged'},
        {label: 'c', value: 100, title: 'c'},
      ],
      evil,
      420,
    )
    const dots = [...svg.matchAll(/<circle class="trend-dot gauge-(\w+)" cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [m[1], Number(m[2]), Number(m[3])])
    // plot 34…406 wide, 10…110 high: 50 halfway, 100 at the top; the run without a score has no dot
    expect(dots).toEqual([['poor', 34, 60], ['good', 406, 10]])
    expect(svg).toContain('<polyline class="trend-line" fill="none" stroke-width="2" points="34.0,60.0 406.0,10.0"/>')
    expect(svg.match(/class="trend-axis" x="[\d.]+" y="132"/g)).toHaveLength(3)
    expect(svg).not.toMatch(/<script|onload="/)
    expect(trendLine([{label: 'only', value: 80, title: 't'}], 'one')).not.toContain('<polyline')
  })
})
