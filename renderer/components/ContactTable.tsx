/** A site's contacts as a table: who (name, title), then how to reach them (tel:/mailto: links). */
import type { Contact } from '../../shared/api/views.js';

const tel = (n: string) => `tel:${n.replace(/[^\d+]/g, '')}`;

function Phones({ contact }: { contact: Contact }) {
  if (!contact.phone && !contact.mobile) return contact.email ? null : <>—</>;
  return (
    <div className="contact-phones">
      {contact.phone && <a href={tel(contact.phone)}>{contact.phone}</a>}
      {contact.mobile && (
        <span>
          <a href={tel(contact.mobile)}>{contact.mobile}</a> <span className="muted small">mobile</span>
        </span>
      )}
    </div>
  );
}

export function ContactTable({ contacts }: { contacts: Contact[] }) {
  // Primary contacts first, after-hours ones last: who to call during a visit.
  const sorted = [...contacts].sort(
    (a, b) =>
      Number(b.isPrimary) - Number(a.isPrimary) ||
      Number(a.isAfterHours) - Number(b.isAfterHours) ||
      a.name.localeCompare(b.name),
  );
  return (
    <section className="panel" aria-labelledby="contacts-heading">
      <h2 id="contacts-heading">
        Site contacts <span className="heading-count">{contacts.length || ''}</span>
      </h2>
      {sorted.length === 0 ? (
        <p className="muted">No site contacts on file.</p>
      ) : (
        <table className="data-table compact-table contact-table" aria-labelledby="contacts-heading">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Phone and email</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <div className="contact-name">
                    {c.name}
                    {c.isPrimary && <span className="badge badge-quiet">Primary</span>}
                    {c.isAfterHours && <span className="badge badge-quiet">After hours</span>}
                  </div>
                  {c.title && <div className="muted small">{c.title}</div>}
                  {c.notes && <div className="muted small">{c.notes}</div>}
                </th>
                <td>
                  <div className="contact-ways-cell">
                    <Phones contact={c} />
                    {c.email && <a href={`mailto:${c.email}`}>{c.email}</a>}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
