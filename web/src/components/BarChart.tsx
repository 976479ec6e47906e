import { useId } from 'react'

export interface Bar {
  key: string
  label: string
  value: number
}

export interface BarChartProps {
  title: string
  bars: readonly Bar[]
  format: (value: number) => string
  testId?: string
}

/**
 * Vertical bars drawn with CSS. Each bar's label and value are text for screen readers (and a
 * tooltip on hover); the axis shows the first and last label and the largest value.
 */
export function BarChart({ title, bars, format, testId }: BarChartProps) {
  const captionId = useId()
  const max = bars.reduce((m, b) => Math.max(m, b.value), 0)
  const total = bars.reduce((sum, b) => sum + b.value, 0)
  return (
    <figure className="chart" data-testid={testId} aria-labelledby={captionId}>
      <figcaption id={captionId}>
        {title} <span className="muted">({format(total)} in all)</span>
      </figcaption>
      <div className="chart-plot">
        <span className="chart-max" aria-hidden="true">
          {format(max)}
        </span>
        <ol className="chart-bars">
          {bars.map((bar) => (
            <li key={bar.key} className="chart-slot" title={`${bar.label}: ${format(bar.value)}`}>
              <span
                className="chart-bar"
                style={{ height: max === 0 ? 0 : `${(bar.value / max) * 100}%` }}
                aria-hidden="true"
              />
              <span className="visually-hidden">
                {bar.label}: {format(bar.value)}
              </span>
            </li>
          ))}
        </ol>
      </div>
      <div className="chart-axis" aria-hidden="true">
        <span>{bars[0]?.label}</span>
        <span>{bars.at(-1)?.label}</span>
      </div>
    </figure>
  )
}
