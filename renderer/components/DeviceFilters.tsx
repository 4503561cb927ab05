/** The Devices screen's toolbar: serial search, the type / status / property / account filters, and clearing them. */
import { useId, useMemo } from 'react';
import { DEVICE_STATUSES } from '../../shared/schema/tables.js';
import type { DeviceType, PropertySummary } from '../../shared/api/views.js';
import { activeFilterCount, type DeviceFilterState } from '../lib/device-filter.js';
import { DEVICE_CATEGORY_LABEL, DEVICE_STATUS_LABEL } from '../lib/labels.js';
import { CheckboxMenu, type CheckboxOption } from './CheckboxMenu.js';

type Props = {
  serialText: string;
  onSerialText: (text: string) => void;
  filter: DeviceFilterState;
  onFilter: (patch: Partial<DeviceFilterState>) => void;
  onClear: () => void;
  types: readonly DeviceType[] | undefined;
  properties: readonly PropertySummary[] | undefined;
};

const STATUS_OPTIONS: CheckboxOption[] = DEVICE_STATUSES.map((s) => ({ value: s, label: DEVICE_STATUS_LABEL[s] }));

export function DeviceFilters({ serialText, onSerialText, filter, onFilter, onClear, types, properties }: Props) {
  const id = useId();
  const typeOptions = useMemo<CheckboxOption[]>(
    () =>
      [...(types ?? [])]
        .sort(
          (a, b) =>
            DEVICE_CATEGORY_LABEL[a.category].localeCompare(DEVICE_CATEGORY_LABEL[b.category]) ||
            a.name.localeCompare(b.name),
        )
        .map((t) => ({ value: t.id, label: t.name, group: DEVICE_CATEGORY_LABEL[t.category] })),
    [types],
  );
  const accounts = useMemo(() => {
    const byId = new Map((properties ?? []).map((p) => [p.account.id, p.account.name]));
    return [...byId].sort((a, b) => a[1].localeCompare(b[1]));
  }, [properties]);
  // With an account chosen, the property list offers that account's sites only.
  const sites = useMemo(
    () => (properties ?? []).filter((p) => !filter.accountId || p.account.id === filter.accountId),
    [properties, filter.accountId],
  );
  const filters = activeFilterCount(filter);

  return (
    <div className="device-filters" role="search" aria-label="Device filters">
      <div className="field device-search">
        <label htmlFor={`${id}-serial`}>Search serial numbers</label>
        <input
          id={`${id}-serial`}
          type="search"
          value={serialText}
          onChange={(e) => onSerialText(e.target.value)}
          placeholder="Part of a serial number"
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <CheckboxMenu
        label="Type"
        legend="Device types"
        options={typeOptions}
        selected={filter.typeIds}
        onChange={(typeIds) => onFilter({ typeIds })}
        disabled={!types}
      />
      <CheckboxMenu
        label="Status"
        legend="Device statuses"
        options={STATUS_OPTIONS}
        selected={filter.statuses}
        onChange={(statuses) => onFilter({ statuses: statuses as DeviceFilterState['statuses'] })}
      />
      <div className="field">
        <label htmlFor={`${id}-account`}>Account</label>
        <select
          id={`${id}-account`}
          value={filter.accountId ?? ''}
          onChange={(e) => {
            const accountId = e.target.value || null;
            const site = properties?.find((p) => p.id === filter.propertyId);
            // A site of another account would leave nothing to show.
            onFilter({
              accountId,
              ...(accountId && site && site.account.id !== accountId ? { propertyId: null } : {}),
            });
          }}
          disabled={!properties}
        >
          <option value="">All accounts</option>
          {accounts.map(([accountId, name]) => (
            <option key={accountId} value={accountId}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field device-site-filter">
        <label htmlFor={`${id}-property`}>Property</label>
        <select
          id={`${id}-property`}
          value={filter.propertyId ?? ''}
          onChange={(e) => onFilter({ propertyId: e.target.value || null })}
          disabled={!properties}
        >
          <option value="">All properties</option>
          {sites.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} — {p.city}
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        className="button-quiet device-clear"
        onClick={onClear}
        disabled={filters === 0 && !serialText}
      >
        Clear filters{filters > 0 ? ` (${filters})` : ''}
      </button>
    </div>
  );
}
