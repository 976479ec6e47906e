import type { ServiceResponse } from '../../../src/contract/index.js'
import { formatAgo, formatDateTime, formatDuration } from '../format.js'
import { useLiveFetched } from '../hooks/use-live-fetched.js'
import { useNow } from '../hooks/use-now.js'
import { useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'

function PingCell({ service, now }: { service: ServiceResponse; now: number }) {
  if (service.last_ping_at === null) return <span className="muted">not pinged</span>
  const answer = service.last_ping_success === true ? 'answered' : 'no answer'
  return (
    <span title={formatDateTime(service.last_ping_at)}>
      {formatAgo(service.last_ping_at, now)},{' '}
      <span className={service.last_ping_success === true ? 'ok-text' : 'error-text'}>
        {answer}
      </span>
    </span>
  )
}

/** What the agents run (dev servers, databases): who owns each, whether it is up and when it was last heard of. */
export function Services() {
  const { client } = useSession()
  const services = useLiveFetched('services', (signal) => client.listServices({ signal }))
  // A ticking clock: the heartbeat ages count up between events.
  const now = useNow(1000)
  const list = services.data

  return (
    <section
      className="wide-page services-page"
      data-testid={TEST_IDS.services}
      aria-labelledby="services-heading"
    >
      <h1 id="services-heading">Services</h1>
      {services.error !== undefined && <p className="error-text">{services.error}</p>}
      {list === undefined && services.error === undefined && <p className="muted">Loading…</p>}
      {list?.length === 0 && (
        <p className="empty">
          No services registered. Agents register theirs with{' '}
          <code>POST /api/v1/services/register</code>.
        </p>
      )}
      {list !== undefined && list.length > 0 && (
        <div className="table-scroll">
          <table className="data-table services-table">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Owner</th>
                <th scope="col">URL</th>
                <th scope="col" className="num">
                  Port
                </th>
                <th scope="col">Status</th>
                <th scope="col">Last ping</th>
                <th scope="col">Heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {list.map((service) => (
                <tr
                  key={service.id}
                  data-testid={TEST_IDS.service(service.service_name)}
                  data-status={service.status}
                >
                  <th scope="row" className="mono">
                    {service.service_name}
                  </th>
                  <td className="mono">{service.owner_agent_id}</td>
                  <td className="url-cell">
                    {service.ping_url === '' ? (
                      '-'
                    ) : (
                      <a href={service.ping_url} target="_blank" rel="noopener noreferrer">
                        {service.ping_url}
                      </a>
                    )}
                  </td>
                  <td className="num">{service.port ?? '-'}</td>
                  <td>
                    <span className={`service-status service-${service.status}`}>
                      {service.status}
                    </span>
                  </td>
                  <td>
                    <PingCell service={service} now={now} />
                  </td>
                  <td
                    title={
                      service.last_heartbeat === null
                        ? undefined
                        : formatDateTime(service.last_heartbeat)
                    }
                  >
                    {service.last_heartbeat === null
                      ? '-'
                      : `${formatDuration(now - Date.parse(service.last_heartbeat))} ago`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
