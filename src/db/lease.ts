import { randomUUID } from 'node:crypto';
import { Schema, model } from 'mongoose';
import { claim } from './primary-key.js';

const leaseSchema = new Schema(
  { _id: String, owner: String, expiresAt: Date },
  { collection: 'leases', versionKey: false },
);
const LeaseModel = model('Lease', leaseSchema);

/**
 * Makes one process at a time the worker for a job (`name`), across all processes on one
 * database: time is cut into slots and the slot's lease goes to whoever inserts
 * `<name>#<slot>` first. The embedded database does not isolate updates, so jobs that
 * update shared documents run only under a lease, and only while well inside it.
 */
export class Lease {
  private readonly owner = randomUUID();
  private slot = -1;
  /** The slot after `slot`, when this process claimed it ahead of time (see `extend`). */
  private nextSlot = -1;

  constructor(
    readonly name: string,
    private readonly slotMs = 60_000,
    private readonly marginMs = 20_000,
    private readonly now: () => number = Date.now,
    /** Called when this process takes the lease after another held it (its caches may be stale). */
    private readonly onTakeOver: () => void = () => undefined,
  ) {}

  /** True while this process holds the current slot, claiming it if nobody has. */
  async hold(): Promise<boolean> {
    const slot = Math.floor(this.now() / this.slotMs);
    if (slot === this.slot) return true;
    if (slot === this.nextSlot) {
      this.slot = slot;
      return true;
    }
    const id = `${this.name}#${slot}`;
    const won = await claim(LeaseModel, {
      _id: id,
      owner: this.owner,
      expiresAt: new Date((slot + 1) * this.slotMs),
    });
    const mine = won || (await LeaseModel.findById(id).lean())?.owner === this.owner;
    if (!mine) return false;
    if (slot !== this.slot + 1) this.onTakeOver();
    this.slot = slot;
    if (won) await LeaseModel.deleteMany({ expiresAt: { $lt: new Date(this.now() - 10 * this.slotMs) } });
    return true;
  }

  /**
   * Near the end of a held slot, claims the next one too, so that a holder that stays busy
   * keeps the lease with no gap at the slot's end. True while there is room left to start
   * work: well inside the held slot, or with the next slot held as well.
   */
  async extend(): Promise<boolean> {
    if (this.roomLeft()) return true;
    const slot = Math.floor(this.now() / this.slotMs);
    if (slot !== this.slot) return false;
    if (this.nextSlot !== slot + 1) {
      const won = await claim(LeaseModel, {
        _id: `${this.name}#${slot + 1}`,
        owner: this.owner,
        expiresAt: new Date((slot + 2) * this.slotMs),
      });
      if (!won) return false;
      this.nextSlot = slot + 1;
    }
    return true;
  }

  /** Gives the lease up (at shutdown, or when idle), so another process can take over at once instead of at the next slot. */
  async release(): Promise<void> {
    for (const slot of [this.slot, this.nextSlot].filter((s) => s >= 0)) {
      const id = `${this.name}#${slot}`;
      const lease = await LeaseModel.findById(id).lean();
      if (lease?.owner === this.owner) await LeaseModel.deleteOne({ _id: id });
    }
    this.slot = -1;
    this.nextSlot = -1;
  }

  /** Whether there is time left in the held slot to start another piece of work. */
  roomLeft(): boolean {
    return (
      Math.floor(this.now() / this.slotMs) === this.slot &&
      this.now() < (this.slot + 1) * this.slotMs - this.marginMs
    );
  }
}
