/**
 * The benchmark's steady-state setting changes the machine's writeback settings: they must come back
 * exactly as they were, after a normal run and after a run killed before it could restore them.
 * A folder with the four vm files stands in for /proc/sys/vm (whose kernel zeroes a ratio when its
 * bytes twin is written; here the files keep both, so the test checks which one is written back).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scaledDirtyAllowance } from '../../bench/lib/dirtyAllowance.ts';

type Vm = Record<'dirty_ratio' | 'dirty_bytes' | 'dirty_background_ratio' | 'dirty_background_bytes', number>;

function fakeVm(values: Vm): { dir: string; saved: string; read: () => Vm; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'offlineseed-vm-'));
  const dir = join(root, 'vm');
  mkdirSync(dir);
  for (const [key, value] of Object.entries(values)) writeFileSync(join(dir, key), `${value}\n`);
  const read = (): Vm => Object.fromEntries(Object.keys(values).map((key) => [key, Number(readFileSync(join(dir, key), 'utf8'))])) as Vm;
  return { dir, saved: join(root, 'vm-dirty.saved.json'), read, done: () => rmSync(root, { recursive: true, force: true }) };
}

const DEFAULTS: Vm = { dirty_ratio: 20, dirty_bytes: 0, dirty_background_ratio: 10, dirty_background_bytes: 0 };

test('apply sets 1/16 of the data (at least 8 MiB) and half of it in the background; restore puts the ratios back', () => {
  const vm = fakeVm(DEFAULTS);
  try {
    const allowance = scaledDirtyAllowance(1600 * 2 ** 20, vm.saved, vm.dir);
    assert.is(allowance.dirtyBytes, 100 * 2 ** 20);
    assert.ok(allowance.apply());
    assert.is(vm.read().dirty_bytes, 100 * 2 ** 20);
    assert.is(vm.read().dirty_background_bytes, 50 * 2 ** 20);
    assert.ok(existsSync(vm.saved), 'the original settings are on disk while the change is in force');
    // Stand in for the kernel, which zeroes a ratio when its bytes twin is written.
    writeFileSync(join(vm.dir, 'dirty_ratio'), '0');
    writeFileSync(join(vm.dir, 'dirty_background_ratio'), '0');
    allowance.restore();
    assert.is(vm.read().dirty_ratio, 20);
    assert.is(vm.read().dirty_background_ratio, 10);
    assert.not.ok(existsSync(vm.saved));
    assert.is(scaledDirtyAllowance(1000, vm.saved, vm.dir).dirtyBytes, 8 * 2 ** 20);
  } finally {
    vm.done();
  }
});

test('a run killed while the change was in force is undone by the next run, before it changes anything', () => {
  const vm = fakeVm({ dirty_ratio: 0, dirty_bytes: 3 * 2 ** 30, dirty_background_ratio: 0, dirty_background_bytes: 2 ** 30 });
  try {
    assert.ok(scaledDirtyAllowance(2 ** 30, vm.saved, vm.dir).apply());
    assert.is(vm.read().dirty_bytes, 64 * 2 ** 20);
    // The process dies here: no restore. The next run's setup puts the machine's bytes settings back.
    scaledDirtyAllowance(2 ** 30, vm.saved, vm.dir);
    assert.is(vm.read().dirty_bytes, 3 * 2 ** 30);
    assert.is(vm.read().dirty_background_bytes, 2 ** 30);
    assert.not.ok(existsSync(vm.saved));
  } finally {
    vm.done();
  }
});

test('no vm settings to read (not Linux, not root): apply says so and changes nothing', () => {
  const vm = fakeVm(DEFAULTS);
  try {
    const allowance = scaledDirtyAllowance(2 ** 30, vm.saved, join(vm.dir, 'missing'));
    assert.not.ok(allowance.apply());
    assert.not.ok(existsSync(vm.saved));
    allowance.restore();
    assert.equal(vm.read(), DEFAULTS);
  } finally {
    vm.done();
  }
});

test.run();
