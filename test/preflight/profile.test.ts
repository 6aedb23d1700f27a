/**
 * Profiles: the return address and return carrier saved once (for the machine, or the user), then
 * reused by job creation and the preflight without being given; the user's values win over the
 * machine's field by field; an incomplete address is refused before anything is written.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { RETURN_ADDRESS, RETURN_SHIPPING } from '../job/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-profile-');
const machine = join(work, 'machine', 'profile.json');
const user = join(work, 'xdg', 'offlineseed', 'profile.json');
const env = { XDG_CONFIG_HOME: join(work, 'xdg'), OFFLINESEED_MACHINE_PROFILE: machine };
// For the in-process call of the job-creation step below.
Object.assign(process.env, env);

test('saved once for the machine, overridden per user field by field, reused by job creation and the preflight', async () => {
  const saved = await runEngine('profile.set', { returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING, scope: 'Machine' }, { env });
  assert.is(saved.exitCode, 0, JSON.stringify(saved.errors));
  assert.is(statSync(machine).mode & 0o777, 0o600, 'owner-only: a carrier account and an address');
  const mine = await runEngine('profile.set', { returnShipping: { carrierName: 'DHL', carrierAccountNumber: '55555' } }, { env });
  assert.is(mine.exitCode, 0, JSON.stringify(mine.errors));
  const view = mine.results[0] as Record<string, unknown>;
  assert.is(view.returnAddressSource, machine);
  assert.is(view.returnShippingSource, user);
  assert.equal(view.returnShipping, { carrierName: 'DHL', carrierAccountNumber: '55555' });

  const { resolveReturnDetails } = await import('../../engine/importjob/profile.ts');
  const details = await resolveReturnDetails({}, true);
  assert.equal(details.returnAddress, RETURN_ADDRESS as unknown);
  assert.is(details.addressSource, machine);
  assert.is(details.returnShipping.carrierName, 'DHL');

  const preflight = await runEngine('preflight.run', { offline: true }, { env });
  const rows = preflight.results as { check: string; status: string; target: string }[];
  assert.equal(rows.filter((r) => r.check.startsWith('Return')).map((r) => [r.check, r.status]), [['ReturnAddress', 'Pass'], ['ReturnCarrier', 'Pass']]);
});

test('a partial update keeps the other fields; an incomplete address is refused and nothing is written', async () => {
  const before = readFileSync(machine, 'utf8');
  const partial = await runEngine('profile.set', { returnAddress: { phone: '+1 425 555 0199' }, scope: 'Machine' }, { env });
  assert.is(partial.exitCode, 0, JSON.stringify(partial.errors));
  const after = JSON.parse(readFileSync(machine, 'utf8')) as { returnAddress: Record<string, string> };
  assert.is(after.returnAddress.phone, '+1 425 555 0199');
  assert.is(after.returnAddress.city, RETURN_ADDRESS.city);
  assert.is.not(readFileSync(machine, 'utf8'), before);

  const fresh = join(work, 'fresh.json');
  const bad = await runEngine('profile.set', { returnAddress: { recipientName: 'Ops', city: 'Redmond' }, profilePath: fresh }, { env });
  assert.is(bad.exitCode, 2);
  assert.is(bad.errors[0]?.errorId, 'OfflineSeed.ReturnAddressIncomplete');
  assert.throws(() => statSync(fresh), 'nothing was written');
});

test('a profile path that is a folder is named in the error (the read names no path of its own)', async () => {
  const folder = join(work, 'a-folder');
  mkdirSync(folder);
  const r = await runEngine('profile.get', { profilePath: folder }, { env });
  assert.is(r.exitCode, 2);
  assert.is(r.errors[0]?.errorId, 'OfflineSeed.PathIsFolder');
  assert.is(r.errors[0]?.targetObject, folder);
  assert.is(r.errors[0]?.message, `A folder where a file was expected: ${folder}`);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
