/**
 * A uPlot time-series chart that fills its container's width, rebuilds itself
 * when the set of series changes, and shows a sentence instead of empty axes.
 */
import uPlot from 'uplot';
import { el } from './dom.js';

const PALETTE = ['#1f6feb', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8590c', '#0c8599', '#c2255c', '#5c940d', '#364fc7', '#a61e4d'];
const HEIGHT = 240;

export interface ChartSeries {
  label: string;
  /** One value per x, null where the series has none. */
  values: (number | null)[];
}

export class TimeChart {
  private plot: uPlot | undefined;
  private labels = '';
  private readonly resizeObserver: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly options: { yLabel: string; emptyText: string; points?: boolean },
  ) {
    this.showEmpty(options.emptyText);
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT }));
    this.resizeObserver.observe(container);
  }

  /** `times` in epoch milliseconds, ascending. */
  update(times: number[], series: ChartSeries[], emptyText = this.options.emptyText): void {
    const points = series.reduce((sum, s) => sum + s.values.filter((v) => v !== null).length, 0);
    this.container.dataset.points = String(points);
    this.container.dataset.series = String(series.length);
    if (points === 0) return this.showEmpty(emptyText);

    const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
    const labels = series.map((s) => s.label).join('\u0000');
    if (this.plot && labels === this.labels) {
      this.plot.setData(data);
      return;
    }
    this.destroyPlot();
    this.container.replaceChildren();
    this.labels = labels;
    this.plot = new uPlot(this.optionsFor(series), data, this.container);
  }

  private optionsFor(series: ChartSeries[]): uPlot.Options {
    return {
      width: this.width(),
      height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      legend: { live: false },
      axes: [{ space: 80, values: (_u, ticks) => timeLabels(ticks) }, { label: this.options.yLabel, size: 60 }],
      series: [
        { label: 'Time' },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: { show: this.options.points ?? true, size: 5 },
        })),
      ],
    };
  }

  private width(): number {
    return Math.max(200, this.container.clientWidth);
  }

  private showEmpty(text: string): void {
    this.destroyPlot();
    this.labels = '';
    this.container.replaceChildren(el('div', { className: 'empty', text }));
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }
}

/**
 * One line per tick label, in 24-hour time (uPlot's default two-line labels
 * collide on narrow charts): seconds only when the ticks need them, the date
 * only when the ticks span more than a day.
 */
export function timeLabels(ticksInSeconds: number[]): string[] {
  const dates = ticksInSeconds.map((t) => new Date(t * 1000));
  const span = ticksInSeconds.length > 1 ? ticksInSeconds[ticksInSeconds.length - 1]! - ticksInSeconds[0]! : 0;
  const pad = (n: number) => String(n).padStart(2, '0');
  const needSeconds = dates.some((d) => d.getSeconds() !== 0 || d.getMilliseconds() !== 0);
  const needMillis = dates.some((d) => d.getMilliseconds() !== 0);
  return dates.map((d) => {
    let time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    if (needSeconds) time += `:${pad(d.getSeconds())}`;
    if (needMillis) time += `.${String(d.getMilliseconds()).padStart(3, '0')}`;
    return span > 86_400 ? `${d.getMonth() + 1}/${d.getDate()} ${time}` : time;
  });
}
