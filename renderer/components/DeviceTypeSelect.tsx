/** Device types grouped by category, as a labelled select. */
import type { DeviceType } from '../../shared/api/views.js';
import { DEVICE_CATEGORY_LABEL } from '../lib/labels.js';

type Props = { id: string; types: DeviceType[]; value: string; onChange: (id: string) => void; disabled?: boolean };

export function DeviceTypeSelect({ id, types, value, onChange, disabled }: Props) {
  const groups = new Map<DeviceType['category'], DeviceType[]>();
  for (const t of [...types].sort((a, b) => a.name.localeCompare(b.name))) {
    const list = groups.get(t.category) ?? [];
    list.push(t);
    groups.set(t.category, list);
  }
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} required>
      <option value="">Choose a type…</option>
      {[...groups].map(([category, list]) => (
        <optgroup key={category} label={DEVICE_CATEGORY_LABEL[category]}>
          {list.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} — {t.manufacturer} {t.model}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}
