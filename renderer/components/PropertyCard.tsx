/** The selected property under the list: what it is, and the ways on (open it, see its devices). */
import type { PropertySummary } from '../../shared/api/views.js';
import { useNav, useViews } from '../api/app-context.js';
import { plural } from '../lib/format.js';
import { RouteLink } from './RouteLink.js';

export function PropertyCard({ property }: { property: PropertySummary }) {
  const navigate = useNav((s) => s.navigate);
  const showDevicesOf = useViews((s) => s.showDevicesOfProperty);
  return (
    <section className="property-card panel" aria-label="Selected property">
      <h2 className="property-card-name">{property.name}</h2>
      <p className="muted">
        {property.addressLine1}, {property.city}, {property.region} {property.postalCode}
      </p>
      <p className="muted">Account: {property.account.name}</p>
      <p>
        {plural(property.devices, 'device')} · {plural(property.openTasks, 'open task')}
      </p>
      <div className="button-row">
        <RouteLink to={{ screen: 'property', id: property.id }} className="button-link button-primary">
          Open {property.name}
        </RouteLink>
        <button
          type="button"
          onClick={() => {
            showDevicesOf(property.id);
            navigate({ screen: 'devices' });
          }}
        >
          Show its devices
        </button>
      </div>
    </section>
  );
}
