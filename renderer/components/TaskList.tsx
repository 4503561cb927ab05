/**
 * My work's list, virtualized (a technician at --scale 100 has hundreds of tasks). One row is in
 * the tab order at a time; ↑/↓, Page Up/Down, Home/End move it, Enter opens the task.
 */
import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { TaskSummary } from '../../shared/api/views.js';
import { TaskRow } from './TaskRow.js';

const ROW_HEIGHT = 60;
const PAGE = 8;

type Props = {
  tasks: TaskSummary[];
  now: Date;
  /** Focus this task's row on mount (coming back from it). */
  initialFocusId: string | null;
  onOpen: (task: TaskSummary) => void;
};

export function TaskList({ tasks, now, initialFocusId, onOpen }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [activeId, setActiveId] = useState<string | null>(initialFocusId);
  const pendingFocus = useRef<string | null>(initialFocusId);
  // The active row is kept by id, so a re-query that reorders the list does not move the focus.
  const found = activeId ? tasks.findIndex((t) => t.id === activeId) : -1;
  const activeIndex = found >= 0 ? found : 0;
  const virtualizer = useVirtualizer({
    count: tasks.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => tasks[i]?.id ?? i,
    // The active row stays rendered even when scrolled away, so Tab can always reach the list.
    rangeExtractor: (range) => {
      const indexes = defaultRangeExtractor(range);
      return indexes.includes(activeIndex) || activeIndex >= range.count
        ? indexes
        : [...indexes, activeIndex].sort((a, b) => a - b);
    },
  });

  const moveTo = (index: number) => {
    const target = tasks[Math.max(0, Math.min(tasks.length - 1, index))];
    if (!target) return;
    setActiveId(target.id);
    pendingFocus.current = target.id;
    virtualizer.scrollToIndex(tasks.indexOf(target), { align: 'auto' });
  };

  // Focus once the target row is rendered (after scrolling it may take one more render).
  useLayoutEffect(() => {
    const id = pendingFocus.current;
    if (!id) return;
    const link = listRef.current?.querySelector<HTMLAnchorElement>(`[data-task-id="${id}"] a`);
    if (link) {
      link.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  useEffect(() => {
    if (initialFocusId) {
      const index = tasks.findIndex((t) => t.id === initialFocusId);
      if (index >= 0) virtualizer.scrollToIndex(index, { align: 'center' });
    }
    // Only on mount: afterwards the keyboard and the mouse decide.
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: PAGE, PageUp: -PAGE };
    if (e.key in step) moveTo(activeIndex + step[e.key]!);
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(tasks.length - 1);
    else return;
    e.preventDefault();
  };

  return (
    <div ref={scrollRef} className="task-list-scroll">
      <ul
        ref={listRef}
        className="task-list"
        aria-label="My tasks"
        onKeyDown={onKeyDown}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const task = tasks[item.index]!;
          return (
            <li
              key={task.id}
              data-task-id={task.id}
              className="task-row"
              aria-setsize={tasks.length}
              aria-posinset={item.index + 1}
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
            >
              <TaskRow
                task={task}
                now={now}
                focusable={item.index === activeIndex}
                onOpen={onOpen}
                onFocus={() => setActiveId(task.id)}
              />
            </li>
          );
        })}
      </ul>
    </div>
  );
}
