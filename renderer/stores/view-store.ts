/**
 * What a person set on the list screens (the property search and selection, the device filters),
 * kept for the session, so going into a property and coming back finds the list as it was left.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { EMPTY_DEVICE_FILTER, type DeviceFilterState } from '../lib/device-filter.js';

export type PropertiesView = { search: string; selectedId: string | null };
export type DevicesView = { filter: DeviceFilterState; serialText: string };

export type ViewStore = {
  properties: PropertiesView;
  devices: DevicesView;
  setProperties(patch: Partial<PropertiesView>): void;
  setDevices(patch: Partial<DevicesView>): void;
  /** Devices of one site, filters otherwise cleared (the property screen's "all devices" link). */
  showDevicesOfProperty(propertyId: string): void;
};

export function createViewStore(): { store: StoreApi<ViewStore>; dispose: () => void } {
  const store = createStore<ViewStore>()((set) => ({
    properties: { search: '', selectedId: null },
    devices: { filter: EMPTY_DEVICE_FILTER, serialText: '' },
    setProperties: (patch) => set((s) => ({ properties: { ...s.properties, ...patch } })),
    setDevices: (patch) => set((s) => ({ devices: { ...s.devices, ...patch } })),
    showDevicesOfProperty: (propertyId) =>
      set((s) => ({
        devices: { filter: { ...EMPTY_DEVICE_FILTER, sort: s.devices.filter.sort, propertyId }, serialText: '' },
      })),
  }));
  return { store, dispose: () => {} };
}
