import { describe, expect, it } from 'vitest';
import { brokerState, peekBrokerState } from '../../src/broker/broker-context.ts';
import { BROKERS_SLICE, emptyBrokerState } from '../../src/broker/state.ts';
import { Kernel } from '../../src/sim/kernel.ts';

describe('a broker slice read and taken', () => {
  for (const history of [false, true]) {
    it(`peekBrokerState reads the broker's state without touching the world; brokerState touches that broker (history ${history ? 'on' : 'off'})`, () => {
      const kernel = new Kernel({ seed: 1, history });
      kernel.world.addSlice(BROKERS_SLICE, { 1: emptyBrokerState(1), 2: emptyBrokerState(2) });
      const context = { kernel, brokerId: 2 };
      kernel.act('read', () => {
        expect(peekBrokerState(context).id).toBe(2);
      });
      expect([kernel.world.version(BROKERS_SLICE), kernel.world.version(BROKERS_SLICE, 2)]).toEqual([0, 0]);
      kernel.act('take', () => {
        brokerState(context).status = 'RunningAsBroker';
      });
      expect([kernel.world.version(BROKERS_SLICE), kernel.world.version(BROKERS_SLICE, 1), kernel.world.version(BROKERS_SLICE, 2)]).toEqual([1, 0, 1]);
    });
  }
});
