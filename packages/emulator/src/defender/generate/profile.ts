import { PEOPLE } from '../catalog';
import { DEVICE_GROUPS, type Device, type DeviceGroup } from '../model';
import { itemAt } from '../../lists';
import { Rng } from '../prng';
import { formatTicks } from '../timestamps';

/** A tenant's fixed world: its fleet of devices in device groups, its people and its analysts. */

/** A machine of the tenant's fleet: the fixed part of a Device, plus where it belongs. */
export type FleetDevice = Pick<Device, 'mdatpDeviceId' | 'aadDeviceId' | 'deviceDnsName' | 'osPlatform' | 'version' | 'osProcessor' | 'osBuild' | 'firstSeen' | 'tags' | 'vmMetadata'> & {
  name: string;
  group: DeviceGroup;
};

export interface Person {
  displayName: string;
  accountName: string;
  upn: string;
  userSid: string;
  aadUserId: string;
}

export interface TenantProfile {
  seed: number;
  tenantId: string;
  domain: string;
  netbios: string;
  nowMs: number;
  /** Who incidents get assigned to: the tenant's users with a Defender role. */
  analysts: string[];
  fleet: FleetDevice[];
  fleetByGroup: Map<DeviceGroup, number[]>;
  people: Person[];
}

/** Stable device-group ids, as an admin would see them in the portal. */
export const RBAC_GROUP_IDS: Record<DeviceGroup, number> = {
  Servers: 4101,
  Workstations: 4102,
  Lab: 4103,
  Executives: 4104,
  Kiosks: 4105,
  DomainControllers: 4106,
  Finance: 4107,
  Developers: 4108,
  'Ungrouped devices (default)': 0,
};

export function groupBit(group: string): number {
  const i = (DEVICE_GROUPS as readonly string[]).indexOf(group);
  return i < 0 ? 0 : 1 << i;
}

export function groupsOfMask(mask: number): DeviceGroup[] {
  return DEVICE_GROUPS.filter((_, i) => (mask & (1 << i)) !== 0);
}

export const DAY_MS = 86_400_000;
const FLEET_SIZES: Record<DeviceGroup, number> = {
  Servers: 40,
  Workstations: 120,
  Lab: 20,
  Executives: 10,
  Kiosks: 15,
  DomainControllers: 4,
  Finance: 25,
  Developers: 30,
  'Ungrouped devices (default)': 8,
};

interface Os {
  osPlatform: string;
  version?: string;
  osBuild?: number;
}
const CLIENT_OS: readonly (readonly [Os, number])[] = [
  [{ osPlatform: 'Windows11', version: '23H2', osBuild: 22631 }, 5],
  [{ osPlatform: 'Windows10', version: '22H2', osBuild: 19045 }, 4],
  [{ osPlatform: 'Windows11', version: '24H2', osBuild: 26100 }, 2],
  [{ osPlatform: 'macOS', version: '14.5' }, 1],
];
const SERVER_OS: readonly (readonly [Os, number])[] = [
  [{ osPlatform: 'WindowsServer2022', version: '21H2', osBuild: 20348 }, 4],
  [{ osPlatform: 'WindowsServer2019', version: '1809', osBuild: 17763 }, 3],
  [{ osPlatform: 'WindowsServer2016', version: '1607', osBuild: 14393 }, 2],
  [{ osPlatform: 'Linux', version: 'Ubuntu 22.04' }, 2],
];
const SERVER_ROLES = ['app', 'sql', 'web', 'file', 'print', 'exch', 'build', 'api'];
const EXEC_TITLES = ['ceo', 'cfo', 'cto', 'coo', 'ciso', 'cmo', 'gc', 'chro', 'vp-sales', 'vp-eng'];

export function buildProfile(seed: number, tenant: { id: string; domain: string }, analysts: string[], nowMs: number): TenantProfile {
  const rng = Rng.from(seed, tenant.id, 'fleet');
  const netbios = itemAt(tenant.domain.split('.'), 0, 'domain labels').toUpperCase();
  const fleet: FleetDevice[] = [];
  const fleetByGroup = new Map<DeviceGroup, number[]>();
  const subscriptionId = Rng.from(seed, tenant.id, 'subscription').guid();
  for (const group of DEVICE_GROUPS) {
    const indices: number[] = [];
    for (let n = 1; n <= FLEET_SIZES[group]; n++) {
      const server = group === 'Servers' || group === 'DomainControllers';
      const os = server ? rng.weighted(SERVER_OS) : group === 'Kiosks' ? itemAt(CLIENT_OS, 1, 'client OS table')[0] : rng.weighted(CLIENT_OS);
      const nn = String(n).padStart(2, '0');
      const name =
        group === 'Servers'
          ? `srv-${rng.pick(SERVER_ROLES)}-${nn}`
          : group === 'Workstations'
            ? n === 1
              ? 'pc-jose'
              : `ws-${String(rng.int(1, 9999)).padStart(4, '0')}`
            : group === 'Lab'
              ? `lab-vm-${nn}`
              : group === 'Executives'
                ? `exec-${itemAt(EXEC_TITLES, (n - 1) % EXEC_TITLES.length, 'executive titles')}-laptop`
                : group === 'Kiosks'
                  ? `kiosk-lobby-${nn}`
                  : group === 'DomainControllers'
                    ? `dc${nn}`
                    : group === 'Finance'
                      ? `fin-ws-${nn}`
                      : group === 'Developers'
                        ? `dev-${nn}`
                        : `desktop-${rng.hex(7)}`;
      const joined = !server && group !== 'Ungrouped devices (default)' && os.osPlatform !== 'macOS';
      const inCloud = group === 'Servers' && rng.chance(0.4);
      indices.push(fleet.length);
      fleet.push({
        name,
        group,
        mdatpDeviceId: rng.hex(40),
        aadDeviceId: joined ? rng.guid() : undefined,
        deviceDnsName: group === 'Ungrouped devices (default)' ? name : `${name}.${tenant.domain}`,
        ...os,
        osProcessor: os.osPlatform === 'macOS' && rng.chance(0.7) ? 'arm64' : 'x64',
        firstSeen: formatTicks(nowMs - rng.int(30, 900) * DAY_MS - rng.int(0, DAY_MS), rng.int(0, 9999)),
        tags: group === 'Executives' ? ['VIP'] : group === 'Finance' ? ['PCI'] : server && rng.chance(0.5) ? ['Production'] : [],
        vmMetadata: inCloud
          ? {
              vmId: rng.guid(),
              cloudProvider: 'Azure',
              resourceId: `/subscriptions/${subscriptionId}/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/${name}`,
              subscriptionId,
            }
          : undefined,
      });
    }
    fleetByGroup.set(group, indices);
  }
  const sidBase = `S-1-5-21-${rng.int(1_000_000_000, 3_999_999_999)}-${rng.int(1_000_000_000, 3_999_999_999)}-${rng.int(100_000_000, 999_999_999)}`;
  const people = PEOPLE.map((p, i) => ({
    displayName: `${p.given} ${p.family}`,
    accountName: p.ascii.includes('.') ? `${p.ascii[0]}${p.ascii.split('.')[1]}` : p.ascii,
    upn: `${p.ascii}@${tenant.domain}`,
    userSid: `${sidBase}-${1104 + i}`,
    aadUserId: Rng.from(seed, tenant.id, 'person', p.ascii).guid(),
  }));
  return {
    seed,
    tenantId: tenant.id,
    domain: tenant.domain,
    netbios,
    nowMs,
    analysts: analysts.length ? [...analysts].sort() : ['Automation'],
    fleet,
    fleetByGroup,
    people,
  };
}
