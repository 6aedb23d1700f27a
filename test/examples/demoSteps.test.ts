/**
 * The demo's cmdlet path cannot run where pwsh is missing, so it is checked statically: every workflow
 * step has a cmdlet form, the cmdlet is exported by OfflineSeed.psd1, every parameter it uses is in
 * that cmdlet's param block (or is -Confirm on a cmdlet that supports ShouldProcess), its mandatory
 * parameters outside parameter sets are given, and the generated script never holds a secret.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { repoRoot } from '../helpers/engine.ts';
import { collectFunctions, descendants, evaluateData, loadParser, readModuleFiles, type FunctionInfo, type ParsedFile } from '../psmodule/analysis.ts';
import { cmdletScript, workflowSteps, type DemoStep } from '../../examples/demoSteps.ts';

const parser = await loadParser();
const parsed: ParsedFile[] = [...readModuleFiles()].map(([path, text]) => ({ path, text, tree: parser.parse(text)! }));
const functions = new Map<string, FunctionInfo>(collectFunctions(parsed).filter((f) => f.isPublic).map((f) => [f.name.toLowerCase(), f]));

const manifest = parsed.find((f) => f.path === 'OfflineSeed.psd1')!;
const manifestHash = descendants(manifest.tree.rootNode).find((n) => n.type === 'hash_literal_expression')!;
const manifestData = evaluateData(manifestHash) as Record<string, unknown>;
const exported = new Set((manifestData.FunctionsToExport as string[]).map((n) => n.toLowerCase()));

const SECRET = 'not-a-real-secret-0123';
const steps = workflowSteps({
  work: '/w', source: '/w/src', staging: '/w/staging', restored: '/w/restored', jobName: 'demo-seed',
  subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroupName: 'rg', storageAccount: 'stdemo', controlPlane: 'DataBox',
});
const sampleDrive = { root: '/w/drive-1', driveId: 'DEMODISK1', capacityBytes: 9 * 1024 * 1024, bitLockerKey: SECRET };
const all: [string, DemoStep][] = Object.entries(steps).map(([name, make]) => [name, (make as (d: typeof sampleDrive) => DemoStep)(sampleDrive)]);

/** Mandatory parameters that belong to no parameter set (must be given whatever set is chosen). */
function alwaysMandatory(fn: FunctionInfo): string[] {
  return fn.params.filter((p) => p.mandatory && !p.node.text.includes('ParameterSetName')).map((p) => p.name);
}

test('the demo has every workflow step, each with a CLI form and a cmdlet form', () => {
  assert.equal(all.map(([name]) => name), ['stage', 'prepareDrive', 'createJob', 'ship', 'status', 'complete', 'backup', 'restore', 'check']);
  for (const [name, step] of all) {
    assert.ok(step.cli.length >= 2, `${name}: CLI form`);
    assert.match(step.cmdlet.name, /^[A-Z][a-z]+-[A-Za-z]+$/, `${name}: cmdlet form`);
  }
});

test('every cmdlet is exported and every parameter exists in its param block', () => {
  for (const [name, step] of all) {
    const cmdlet = step.cmdlet.name;
    assert.ok(exported.has(cmdlet.toLowerCase()), `${name}: ${cmdlet} is not in FunctionsToExport`);
    const fn = functions.get(cmdlet.toLowerCase());
    assert.ok(fn, `${name}: no psmodule/Public function ${cmdlet}`);
    const params = new Map(fn!.params.map((p) => [p.name.toLowerCase(), p]));
    for (const [param, value] of Object.entries(step.cmdlet.params)) {
      if (param === 'Confirm') {
        assert.ok(fn!.bindingArgs.has('supportsshouldprocess'), `${cmdlet} -Confirm: the cmdlet does not support ShouldProcess`);
        continue;
      }
      const info = params.get(param.toLowerCase());
      assert.ok(info, `${cmdlet} has no parameter -${param}`);
      if (typeof value === 'object' && 'secretFromEnv' in value) assert.match(info!.type, /SecureString$/, `${cmdlet} -${param} takes a SecureString`);
      if (typeof value === 'boolean' && value) assert.is(info!.type.toLowerCase(), 'switch', `${cmdlet} -${param} is a switch`);
      if (info!.validateSet !== undefined && typeof value === 'string') assert.ok(info!.validateSet.includes(value), `${cmdlet} -${param} ${value} is not in its ValidateSet`);
    }
    for (const required of alwaysMandatory(fn!)) assert.ok(Object.keys(step.cmdlet.params).some((p) => p.toLowerCase() === required.toLowerCase()), `${cmdlet}: mandatory -${required} missing`);
  }
});

test('the cmdlet scripts import the module, build SecureStrings from the environment and hold no secret', () => {
  for (const [name, step] of all) {
    const script = cmdletScript(step.cmdlet, join(repoRoot, 'OfflineSeed.psd1'));
    assert.ok(script.includes(`Import-Module '${join(repoRoot, 'OfflineSeed.psd1')}'`), name);
    assert.not.ok(script.includes(SECRET), `${name}: a secret is in the script`);
    assert.ok(script.includes(step.cmdlet.name), name);
    for (const value of Object.values(step.cmdlet.params)) {
      if (typeof value === 'object' && 'secretFromEnv' in value) assert.match(script, new RegExp(`ConvertTo-SecureString -String \\$env:${value.secretFromEnv} -AsPlainText -Force`), name);
    }
    const tree = parser.parse(script)!;
    assert.not.ok(tree.rootNode.hasError, `${name}: the generated script does not parse:\n${script}`);
  }
});

test.run();
