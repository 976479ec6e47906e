import { formatUsd } from '../format.js'
import { TEST_IDS } from '../test-ids.js'

export interface CostRow {
  key: string
  label: string
  cost_usd: number
  runs: number
}

export interface CostTableProps {
  /** `epic`, `agent` or `model`: names the table and its rows for the tests. */
  by: string
  caption: string
  rows: readonly CostRow[]
}

/** Runner cost grouped one way, dearest first, with each row's share drawn as a bar. */
export function CostTable({ by, caption, rows }: CostTableProps) {
  const sorted = [...rows].sort((a, b) => b.cost_usd - a.cost_usd || a.label.localeCompare(b.label))
  const total = rows.reduce((sum, r) => sum + r.cost_usd, 0)
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid={TEST_IDS.costTable(by)}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{by[0]?.toUpperCase() + by.slice(1)}</th>
            <th scope="col" className="num">
              Runs
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col">
              <span className="visually-hidden">Share</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No runner attempts yet.
              </td>
            </tr>
          )}
          {sorted.map((row) => (
            <tr key={row.key} data-testid={TEST_IDS.costRow(by, row.key)}>
              <th scope="row">{row.label}</th>
              <td className="num">{row.runs}</td>
              <td className="num">{formatUsd(row.cost_usd)}</td>
              <td className="share-cell" aria-hidden="true">
                <span
                  className="share-bar"
                  style={{ width: total === 0 ? 0 : `${(row.cost_usd / total) * 100}%` }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
