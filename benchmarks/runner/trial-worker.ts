import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendInfo } from '../backend/select-backend.js';
import { UserError, errorMessage } from '../errors.js';
import { checkSuite } from '../train/check-suite.js';
import { runPretrain } from '../train/run-pretrain.js';
import { runTrial } from '../train/run-trial.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/**
 * Entry point of a worker process: runs one job at a time for the process that owns the database.
 * Works under Node's child_process.fork (process.send) and Electron's utilityProcess.fork (process.parentPort).
 */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromWorker): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

let backend: BackendInfo | null = null;
let queue: Promise<void> = Promise.resolve();

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init':
      try {
        backend = await selectBackend(message.backend);
        send({ type: 'ready', backend });
      } catch (error) {
        send({ type: 'init-failed', error: errorMessage(error), userError: error instanceof UserError });
      }
      return;
    case 'trial': {
      if (!backend) throw new Error('trial before init');
      const { trialId } = message.job;
      const result = await runTrial(message.job, backend, {
        onStart: (maxEpochs) => send({ type: 'trial-started', trialId, maxEpochs }),
        onEvaluation: (record, maxEpochs) => send({ type: 'trial-epoch', trialId, record, maxEpochs }),
      });
      send({ type: 'trial-done', trialId, result, numTensors: tf.memory().numTensors });
      return;
    }
    case 'check':
      try {
        send({ type: 'check-ok', summary: await checkSuite(message.job) });
      } catch (error) {
        send({ type: 'check-failed', error: errorMessage(error), userError: error instanceof UserError });
      }
      return;
    case 'pretrain': {
      if (!backend) throw new Error('pretrain before init');
      try {
        const record = await runPretrain(message.job, backend, (epoch, epochs, loss, accuracy) =>
          send({ type: 'pretrain-epoch', epoch, epochs, loss, accuracy }),
        );
        send({ type: 'pretrain-done', record });
      } catch (error) {
        send({ type: 'pretrain-failed', error: errorMessage(error), userError: error instanceof UserError });
      }
      return;
    }
  }
}

function receive(message: unknown): void {
  queue = queue.then(() => handle(message as ToWorker));
}

if (parentPort) parentPort.on('message', (event) => receive(event.data));
else process.on('message', receive);
process.on('disconnect', () => process.exit(0));
