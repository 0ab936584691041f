/**
 * How late this process's event loop runs: a timer every `intervalMs` notes how much later than due it fired.
 * A sweep's own timeouts (connect, commands) are timers too: when the loop runs seconds late, they fire before the
 * answers waiting behind them are read, and a host is lost to the controller's saturation, not its own.
 *
 * Not `perf_hooks.monitorEventLoopDelay`: on Node 20.20, after `reset()` its histogram missed a 1 s block of the
 * loop altogether (4 samples, max 10 ms), and a sweep needs the delay per window, not since the start.
 */
export class LoopLag {
  private timer: NodeJS.Timeout | undefined
  private due = 0
  private worst = 0

  constructor(private readonly intervalMs = 100) {}

  start(): this {
    this.due = performance.now() + this.intervalMs
    this.timer = setInterval(() => {
      const now = performance.now()
      this.worst = Math.max(this.worst, now - this.due)
      this.due = now + this.intervalMs
    }, this.intervalMs)
    this.timer.unref()
    return this
  }

  /** The most the loop was late since the last read, counting a tick overdue at `now`; then starts afresh. */
  read(now = performance.now()): number {
    const lag = Math.max(0, this.worst, now - this.due)
    this.worst = 0
    return lag
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }
}
