import type { NodeShape } from '$model';

/** How each DFD shape starts life: size, label, and what people call it. */
export const SHAPES: Record<
  NodeShape,
  { title: string; label: string; width: number; height: number; key: string; hint: string }
> = {
  actor: {
    title: 'Actor',
    label: 'Actor',
    width: 140,
    height: 64,
    key: 'a',
    hint: 'A person or system outside your control',
  },
  process: {
    title: 'Process',
    label: 'Process',
    width: 150,
    height: 84,
    key: 'p',
    hint: 'Code that transforms data',
  },
  store: {
    title: 'Data store',
    label: 'Data store',
    width: 150,
    height: 60,
    key: 's',
    hint: 'Where data rests: database, queue, files',
  },
  'security-boundary': {
    title: 'Trust boundary',
    label: 'Trust boundary',
    width: 380,
    height: 260,
    key: 'b',
    hint: 'A container; nodes inside move with it',
  },
  'text-box': {
    title: 'Text',
    label: 'Note',
    width: 160,
    height: 48,
    key: 't',
    hint: 'A free-text annotation',
  },
};

export const PALETTE_ORDER: NodeShape[] = [
  'actor',
  'process',
  'store',
  'security-boundary',
  'text-box',
];

/** Smallest size a resize may reach, per shape. */
export const MIN_SIZE: Record<NodeShape, { width: number; height: number }> = {
  actor: { width: 60, height: 36 },
  process: { width: 70, height: 44 },
  store: { width: 80, height: 36 },
  'security-boundary': { width: 120, height: 90 },
  'text-box': { width: 40, height: 24 },
};

/** Shapes that flows can start or end on. */
export const CONNECTABLE: ReadonlySet<string> = new Set(['actor', 'process', 'store']);
