/**
 * The generated tests of a service that receives the model built (`enqueue(self, task: Task)`):
 * they build the model with the value (and without it) and pass it to the service by keyword; a model
 * they cannot build fails generation naming the class and the parameter.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CallableInfo, ProjectFacts } from '../../src/python/introspect';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { generateTestSuite } from '../../src/testgen/generate-tests';
import { sampleAnchors } from '../fixtures/testgen/sample-anchors';

const CASE = path.join(__dirname, '..', 'fixtures', 'testgen', 'cases', 'task-summary', 'input.json');
const SERVICE = 'taskqueue.services.task_queue_service:TaskQueueService';

interface Input {
  spec: Record<string, unknown>;
  conftest: string;
  facts: ProjectFacts[];
}

/** The sample with `enqueue_task(self, task: Task) -> Task` as its service method. */
function receiving(edit: (facts: ProjectFacts) => void = () => {}) {
  const input = JSON.parse(readFileSync(CASE, 'utf8')) as Input;
  const facts = input.facts[0]!;
  const method: CallableInfo = {
    async: true,
    static: false,
    params: [
      {
        name: 'task',
        kind: 'positional',
        required: true,
        type: { kind: 'class', nullable: false, cls: { module: facts.model.module, name: 'Task' } },
      },
    ],
    returns: { kind: 'class', nullable: false, cls: { module: facts.model.module, name: 'Task' } },
  };
  facts.classes[SERVICE]!.methods.enqueue_task = method;
  edit(facts);
  const spec = parseFeatureSpec(input.spec);
  const anchors = sampleAnchors('taskqueue', spec, '/samples/taskqueue');
  const service = anchors.changes[0]!.service;
  delete service.constructorCall;
  service.receives = { parameter: 'task', className: 'Task', position: 0, keywordOnly: false };
  return () =>
    generateTestSuite({
      spec,
      anchors,
      facts: input.facts,
      conftestText: input.conftest,
      asyncioMode: 'auto',
    });
}

describe('generated tests of a service receiving the model', () => {
  it('build the model with the value, and without it, and pass it by keyword', () => {
    const { files } = receiving()();
    const integration = files.find((f) => f.category === 'integration')!.content;
    expect(integration).toMatch(
      /new_task = Task\(description="Round trip", summary="[^"]+"\)\n\s+task = await \w+\.enqueue_task\(task=new_task\)/,
    );
    expect(integration).toMatch(
      /new_task = Task\(description="Round trip"\)\n\s+task = await \w+\.enqueue_task\(task=new_task\)/,
    );
    const migration = files.find((f) => f.category === 'migration')!.content;
    expect(migration).toMatch(/new_task = Task\(description="Round trip"\)/);
  });

  it('fail closed, naming the class and the parameter, when the model cannot be built', () => {
    const generate = receiving((facts) => {
      delete facts.examples['model.description'];
    });
    let err: unknown;
    try {
      generate();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecialistError);
    expect((err as SpecialistError).message).toMatch(
      /cannot build the Task that TaskQueueService\.enqueue_task receives as its parameter task: no valid example value for the required field Task\.description/,
    );
    expect((err as SpecialistError).details).toMatchObject({ parameter: 'task' });
  });
});
