/**
 * One property: where it is and whose it is, who to call, its devices (editable as elsewhere), its
 * open tasks and files. Dispatch (owner, admin, dispatcher) can create a task for the site here;
 * technicians see the rest read-only, except the device edits their role allows.
 */
import { useState } from 'react';
import type { PropertyDetail } from '../../shared/api/views.js';
import { MANAGERS } from '../../shared/schema/roles.js';
import { useNav, useSession } from '../api/app-context.js';
import { ErrorAlert, Notice } from '../components/Alert.js';
import { ContactTable } from '../components/ContactTable.js';
import { NewTaskForm } from '../components/NewTaskForm.js';
import { PropertyDevices } from '../components/PropertyDevices.js';
import { PropertyFiles } from '../components/PropertyFiles.js';
import { PropertyTasks } from '../components/PropertyTasks.js';
import { RouteLink } from '../components/RouteLink.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { errorCode, errorMessage } from '../lib/errors.js';
import { useNow } from '../lib/use-now.js';
import { usePropertyDetail } from '../stores/queries.js';
import '../styles/property.css';
import '../styles/task.css'; // the back button, facts and access-notes styles it shares with the task screen

function SiteFacts({ property }: { property: PropertyDetail }) {
  return (
    <div className="site-facts">
      <address className="property-address">
        {property.addressLine1}
        {property.addressLine2 && `, ${property.addressLine2}`}
        <br />
        {property.city}, {property.region} {property.postalCode} · {property.countryCode}
      </address>
      <dl className="task-facts">
        <div>
          <dt>Account</dt>
          <dd>{property.account.name}</dd>
        </div>
        {property.siteType && (
          <div>
            <dt>Site type</dt>
            <dd>{property.siteType.replaceAll('_', ' ')}</dd>
          </div>
        )}
        <div>
          <dt>Devices</dt>
          <dd>{property.devices.length.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Open tasks</dt>
          <dd>{property.openTasks.toLocaleString()}</dd>
        </div>
      </dl>
      {property.accessNotes && (
        <div className="access-notes">
          <h2 className="access-notes-title">Access notes</h2>
          <p className="prewrap">{property.accessNotes}</p>
        </div>
      )}
    </div>
  );
}

function NewTaskPanel({ propertyId }: { propertyId: string }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<{ id: string; title: string } | null>(null);
  return (
    <section className="panel" aria-labelledby="new-task-heading">
      <div className="panel-header">
        <h2 id="new-task-heading">New task</h2>
        {!open && (
          <button type="button" onClick={() => (setOpen(true), setCreated(null))}>
            Create a task for this site
          </button>
        )}
      </div>
      {open && (
        <NewTaskForm
          propertyId={propertyId}
          onCreated={(task) => (setOpen(false), setCreated(task))}
          onCancel={() => setOpen(false)}
        />
      )}
      {created && (
        <Notice tone="success">
          Task “{created.title}” created. <RouteLink to={{ screen: 'task', id: created.id }}>Open the task</RouteLink>
        </Notice>
      )}
    </section>
  );
}

export function PropertyScreen({ id }: { id: string }) {
  const back = useNav((s) => s.back);
  const role = useSession((s) => (s.session?.status === 'signed-in' ? s.session.role : null));
  const { data: property, error, loading, reload } = usePropertyDetail(id);
  const now = useNow();
  const backButton = (
    <button type="button" className="button-quiet back-button" onClick={back} title="Back (Alt+←)">
      ← Back
    </button>
  );

  if (!property) {
    return (
      <section className="screen property-screen">
        {backButton}
        {error != null ? (
          <>
            <ScreenHeading>Property not available</ScreenHeading>
            <ErrorAlert action={errorCode(error) === 'not_found' ? undefined : { label: 'Try again', onClick: reload }}>
              {errorCode(error) === 'not_found'
                ? 'This property is not on this computer, or you may no longer see it.'
                : `The property could not be loaded: ${errorMessage(error)}`}
            </ErrorAlert>
          </>
        ) : (
          loading && <p role="status">Loading the property…</p>
        )}
      </section>
    );
  }

  const dispatch = role !== null && MANAGERS.includes(role);
  return (
    <article className="screen property-screen" aria-labelledby="property-title">
      <div className="task-top">
        {backButton}
        <ScreenHeading id="property-title">{property.name}</ScreenHeading>
        <SiteFacts property={property} />
        {error != null && (
          <ErrorAlert action={{ label: 'Try again', onClick: reload }}>
            Showing the last loaded copy; refreshing failed: {errorMessage(error)}
          </ErrorAlert>
        )}
      </div>
      <div className="property-columns">
        <div className="property-main">
          <PropertyDevices propertyId={property.id} devices={property.devices} />
          <PropertyFiles files={property.files} now={now} />
        </div>
        <aside className="property-side" aria-label="Work and people">
          {dispatch && <NewTaskPanel propertyId={property.id} />}
          <PropertyTasks tasks={property.openTaskList} now={now} />
          <ContactTable contacts={property.contacts} />
        </aside>
      </div>
    </article>
  );
}
