/** Where a device is, in one line: "Lobby · Floor 2 · Zone B", or a dash when nobody recorded it. */
export const devicePlace = (d: { location: string | null; floor: string | null; zone: string | null }): string =>
  [d.location, d.floor && `Floor ${d.floor}`, d.zone && `Zone ${d.zone}`].filter(Boolean).join(' · ') || '—';
