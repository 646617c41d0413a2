// Splits a batch into request-sized chunks: at most `maxItems` items and `maxBytes` bytes each
// (the size of an item as the sink encodes it). Order is kept. An item bigger than maxBytes on its
// own goes alone (the backend decides; a 413 then refuses just that item). Pure.

export function chunkItems<I>(items: readonly I[], sizeOf: (item: I) => number, maxItems: number, maxBytes: number): I[][] {
  const chunks: I[][] = [];
  let current: I[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
