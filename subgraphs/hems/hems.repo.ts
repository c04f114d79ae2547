import { asc } from 'drizzle-orm';
import { devices, hemsSystems } from '../../schema/tables';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';
import type { Device, DeviceKind, Hems } from './hems.type';

export class HemsRepo {
  constructor(private readonly db: Database) {}

  byMeteringPoints(meteringPointIds: readonly string[]): Promise<Hems[]> {
    return this.db.select().from(hemsSystems).where(anyText(hemsSystems.meteringPointId, meteringPointIds));
  }

  async devicesOf(hemsIds: readonly string[]): Promise<Device[]> {
    const rows = await this.db.select().from(devices).where(anyText(devices.hemsId, hemsIds)).orderBy(asc(devices.id));
    return rows.map((row) => ({ ...row, kind: row.kind as DeviceKind }));
  }
}
