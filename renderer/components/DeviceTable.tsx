/**
 * Every device of the organization in one virtualized ARIA table: only the rows in view exist in the
 * DOM, each a memoized component that re-renders only when its own device object changes. Rows
 * not fetched yet show as placeholders until their window arrives. Headers sort (aria-sort).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import type { Device } from '../../shared/api/views.js';
import { ariaSort, type DeviceSort, type DeviceSortColumn } from '../lib/device-filter.js';
import { devicePlace } from '../lib/device-place.js';
import type { DeviceWindows } from '../lib/device-windows.js';
import { formatAgo } from '../lib/format.js';
import { DeviceStatusBadge, UnsyncedBadge } from './Badges.js';
import { RouteLink } from './RouteLink.js';

const ROW_HEIGHT = 40;

type Column = { label: string; sort?: DeviceSortColumn };
const COLUMNS: Column[] = [
  { label: 'Serial', sort: 'serialNumber' },
  { label: 'Type', sort: 'type' },
  { label: 'Status', sort: 'status' },
  { label: 'Location' },
  { label: 'Property', sort: 'property' },
  { label: 'Account', sort: 'account' },
  { label: 'Updated', sort: 'updatedAt' },
];

type Props = {
  windows: DeviceWindows;
  total: number;
  /** Changes with the query: the table scrolls back to the top. */
  queryKey: string | null;
  sort: DeviceSort;
  onSort: (column: DeviceSortColumn) => void;
  editingId: string | null;
  onEdit: (device: Device) => void;
  now: Date;
};

function HeaderCell({ column, sort, onSort }: { column: Column; sort: DeviceSort; onSort: Props['onSort'] }) {
  if (!column.sort) return <div role="columnheader">{column.label}</div>;
  const state = ariaSort(sort, column.sort);
  return (
    <div role="columnheader" aria-sort={state}>
      <button type="button" className="sort-button" onClick={() => onSort(column.sort!)}>
        {column.label}
        <span className="sort-mark" aria-hidden="true">
          {state === 'ascending' ? '▲' : state === 'descending' ? '▼' : ''}
        </span>
      </button>
    </div>
  );
}

type RowProps = {
  device: Device | undefined;
  index: number;
  start: number;
  editing: boolean;
  onEdit: (device: Device) => void;
  now: Date;
};

const DeviceRow = memo(function DeviceRow({ device, index, start, editing, onEdit, now }: RowProps) {
  const style = { transform: `translateY(${start}px)`, height: ROW_HEIGHT };
  if (!device)
    return (
      <div role="row" aria-rowindex={index + 2} className="device-row device-row-loading" style={style}>
        <div role="cell" className="device-cell-loading">
          Loading…
        </div>
      </div>
    );
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-device-id={device.id}
      className={editing ? 'device-row device-row-editing' : 'device-row'}
      style={style}
    >
      <div role="cell" className="mono">
        {device.serialNumber}
      </div>
      <div role="cell" title={[device.label, device.type.manufacturer, device.type.model].filter(Boolean).join(' · ')}>
        {device.type.name}
      </div>
      <div role="cell" className="device-status-cell">
        <DeviceStatusBadge status={device.status} />
        {device.pending && <UnsyncedBadge />}
      </div>
      <div role="cell">{devicePlace(device)}</div>
      <div role="cell">
        <RouteLink to={{ screen: 'property', id: device.property.id }}>{device.property.name}</RouteLink>
      </div>
      <div role="cell">{device.account.name}</div>
      <div role="cell">
        {device.updatedAt ? (
          <time dateTime={device.updatedAt} title={new Date(device.updatedAt).toLocaleString()}>
            {formatAgo(device.updatedAt, now)}
          </time>
        ) : (
          '—'
        )}
      </div>
      <div role="cell" className="cell-actions">
        <button
          type="button"
          className="button-small device-edit-button"
          aria-label={`Edit ${device.serialNumber}`}
          aria-expanded={editing}
          onClick={() => onEdit(device)}
        >
          Edit
        </button>
      </div>
    </div>
  );
});

export function DeviceTable({ windows, total, queryKey, sort, onSort, editingId, onEdit, now }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (last >= first) windows.setRange(first, last + 1);
  }, [windows, first, last]);

  // A new search or filter starts at the top; a refresh of the same view keeps the place.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [queryKey]);

  return (
    <div className="device-table-frame">
      <div role="table" aria-label="Devices" aria-rowcount={total + 1} className="device-table">
        <div role="rowgroup" className="device-table-head">
          <div role="row" aria-rowindex={1} className="device-row device-row-head">
            {COLUMNS.map((c) => (
              <HeaderCell key={c.label} column={c} sort={sort} onSort={onSort} />
            ))}
            <div role="columnheader">
              <span className="visually-hidden">Actions</span>
            </div>
          </div>
        </div>
        <div role="rowgroup" ref={scrollRef} className="device-table-body">
          <div className="device-table-spacer" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const device = windows.rowAt(item.index);
              return (
                <DeviceRow
                  key={device?.id ?? `loading-${item.index}`}
                  device={device}
                  index={item.index}
                  start={item.start}
                  editing={!!device && device.id === editingId}
                  onEdit={onEdit}
                  now={now}
                />
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
