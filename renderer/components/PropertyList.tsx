/**
 * The properties as a single-select listbox, virtualized (2,500 sites at --scale 100). One tab stop;
 * ↑/↓, Page Up/Down, Home/End move the selection (the map follows), Enter opens the property. The
 * active row stays rendered even when scrolled away, so aria-activedescendant always points at it.
 */
import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { PropertySummary } from '../../shared/api/views.js';
import { plural } from '../lib/format.js';

const ROW_HEIGHT = 64;
const PAGE = 8;

type Props = {
  properties: readonly PropertySummary[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
};

const optionId = (id: string) => `property-option-${id}`;

export function PropertyList({ properties, selectedId, onSelect, onOpen }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const index = selectedId ? properties.findIndex((p) => p.id === selectedId) : -1;
  const virtualizer = useVirtualizer({
    count: properties.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (i) => properties[i]?.id ?? i,
    rangeExtractor: (range) => {
      const indexes = defaultRangeExtractor(range);
      return index < 0 || indexes.includes(index) ? indexes : [...indexes, index].sort((a, b) => a - b);
    },
  });

  // Whoever changed the selection (keys, a marker click, coming back), the row comes into view.
  useEffect(() => {
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [index, virtualizer]);

  const moveTo = (i: number) => {
    const target = properties[Math.max(0, Math.min(properties.length - 1, i))];
    if (target) onSelect(target.id);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: PAGE, PageUp: -PAGE };
    if (e.key in step) moveTo(index < 0 ? 0 : index + step[e.key]!);
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(properties.length - 1);
    else if (e.key === 'Enter' && selectedId) onOpen(selectedId);
    else return;
    e.preventDefault();
  };

  return (
    <div ref={scrollRef} className="property-list-scroll">
      <div
        role="listbox"
        aria-label="Properties"
        tabIndex={0}
        className="property-list"
        aria-activedescendant={index >= 0 ? optionId(selectedId!) : undefined}
        onKeyDown={onKeyDown}
        // Selection follows focus: arriving by keyboard (not by a click on a row) selects the first site.
        onFocus={(e) => {
          if (index < 0 && properties[0] && e.currentTarget.matches(':focus-visible')) onSelect(properties[0].id);
        }}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const p = properties[item.index]!;
          const selected = p.id === selectedId;
          return (
            <div
              key={p.id}
              id={optionId(p.id)}
              role="option"
              aria-selected={selected}
              aria-setsize={properties.length}
              aria-posinset={item.index + 1}
              className={selected ? 'property-option property-option-selected' : 'property-option'}
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              onClick={() => onSelect(p.id)}
              onDoubleClick={() => onOpen(p.id)}
            >
              <span className="property-option-name">{p.name}</span>
              <span className="property-option-place">
                {p.addressLine1}, {p.city} · {p.account.name}
              </span>
              <span className="property-option-meta">
                {plural(p.devices, 'device')}
                {p.openTasks > 0 ? (
                  <span className="property-open-work"> · {plural(p.openTasks, 'open task')}</span>
                ) : (
                  ' · no open tasks'
                )}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
