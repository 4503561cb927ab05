/** The site's contacts one click away: a disclosure with phone and email as tel:/mailto: links. */
import { useId, useState } from 'react';
import type { Contact } from '../../shared/api/views.js';

function ContactCard({ contact }: { contact: Contact }) {
  return (
    <li className="contact">
      <div className="contact-name">
        {contact.name}
        {contact.isPrimary && <span className="badge badge-quiet">Primary</span>}
        {contact.isAfterHours && <span className="badge badge-quiet">After hours</span>}
      </div>
      {contact.title && <div className="contact-title">{contact.title}</div>}
      <dl className="contact-ways">
        {contact.phone && (
          <>
            <dt>Phone</dt>
            <dd>
              <a href={`tel:${contact.phone.replace(/[^\d+]/g, '')}`}>{contact.phone}</a>
            </dd>
          </>
        )}
        {contact.mobile && (
          <>
            <dt>Mobile</dt>
            <dd>
              <a href={`tel:${contact.mobile.replace(/[^\d+]/g, '')}`}>{contact.mobile}</a>
            </dd>
          </>
        )}
        {contact.email && (
          <>
            <dt>Email</dt>
            <dd>
              <a href={`mailto:${contact.email}`}>{contact.email}</a>
            </dd>
          </>
        )}
      </dl>
      {contact.notes && <p className="contact-notes">{contact.notes}</p>}
    </li>
  );
}

export function SiteContacts({ contacts }: { contacts: Contact[] }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  if (contacts.length === 0) return <p className="muted">No site contacts on file.</p>;
  // Primary contacts first, after-hours ones last: who to call during a visit.
  const sorted = [...contacts].sort(
    (a, b) => Number(b.isPrimary) - Number(a.isPrimary) || Number(a.isAfterHours) - Number(b.isAfterHours),
  );
  return (
    <div className="site-contacts">
      <button type="button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        Site contacts ({contacts.length})
      </button>
      <ul id={panelId} className="contact-list" hidden={!open}>
        {sorted.map((c) => (
          <ContactCard key={c.id} contact={c} />
        ))}
      </ul>
    </div>
  );
}
