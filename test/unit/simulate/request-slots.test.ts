import { expect } from 'chai';
import { createRequestSlots } from '../../../src/simulate/request-slots.ts';

describe('createRequestSlots', () => {
  it('lets `concurrency` senders in and the next one only when a slot is freed, in order', async () => {
    const slots = createRequestSlots(2);
    await slots.take();
    await slots.take();
    expect(slots.active()).to.equal(2);
    const order: string[] = [];
    const third = slots.take().then(() => order.push('third'));
    const fourth = slots.take().then(() => order.push('fourth'));
    await new Promise((r) => setImmediate(r));
    expect(order).to.deep.equal([]);
    slots.free();
    await third;
    expect(order).to.deep.equal(['third']);
    expect(slots.active()).to.equal(2);
    slots.free();
    await fourth;
    expect(order).to.deep.equal(['third', 'fourth']);
  });

  it('wakes the change waiter when a slot is freed or a change is signalled, once per wait', async () => {
    const slots = createRequestSlots(1);
    await slots.take();
    let woken = 0;
    const first = slots.nextChange().then(() => woken++);
    slots.free();
    await first;
    expect(woken).to.equal(1);
    slots.changed(); // nobody waits: nothing happens
    const second = slots.nextChange().then(() => woken++);
    await new Promise((r) => setImmediate(r));
    expect(woken).to.equal(1);
    slots.changed();
    await second;
    expect(woken).to.equal(2);
  });
});
