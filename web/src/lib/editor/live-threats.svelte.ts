import type * as Y from 'yjs';
import { liveThreatsFromDoc, threatMarks, threatsMap, type LiveThreat } from '$model';

/**
 * The threats of one live diagram, read from the document's `threats` map, which only the
 * server writes (REST is the source of truth, the map its live mirror): what the canvas marks,
 * the cell panel and the suggestions read, so a threat someone else records, mitigates or
 * deletes shows here without a reload.
 */
export class LiveThreats {
  threats = $state.raw<LiveThreat[]>([]);
  /** Per cell: count, open count, worst open current risk, all settled. */
  marks = $derived(threatMarks(this.threats));
  /** Bumped on every change, for panels that re-read REST when the mirror moves. */
  revision = $state(0);

  private dispose: () => void;

  constructor(doc: Y.Doc) {
    const map = threatsMap(doc);
    const read = () => {
      this.threats = liveThreatsFromDoc(doc);
      this.revision++;
    };
    map.observeDeep(read);
    this.dispose = () => map.unobserveDeep(read);
    read();
  }

  /** The threats on one cell. */
  onCell(cellId: string): LiveThreat[] {
    return this.threats.filter((t) => t.cell_ids.includes(cellId));
  }

  destroy() {
    this.dispose();
  }
}
