/** Where the task is: the property, its address, how to get in, and who to call. */
import type { TaskDetail } from '../../shared/api/views.js';
import { SiteContacts } from './SiteContacts.js';

export function PropertyPanel({ task }: { task: TaskDetail }) {
  const p = task.property;
  return (
    <section className="panel" aria-labelledby="property-heading">
      <h2 id="property-heading">Site</h2>
      <p className="property-name">{p.name}</p>
      <address className="property-address">
        {p.addressLine1}
        {p.addressLine2 && (
          <>
            <br />
            {p.addressLine2}
          </>
        )}
        <br />
        {p.city}, {p.region} {p.postalCode}
      </address>
      <p className="muted">Account: {p.account.name}</p>
      {p.accessNotes && (
        <div className="access-notes">
          <h3>Access notes</h3>
          <p>{p.accessNotes}</p>
        </div>
      )}
      <SiteContacts contacts={task.contacts} />
    </section>
  );
}
