/**
 * The answer in words for the app: the one sentence, the advice and the crossover wording the report prints too
 * (analysis/plain-answer.ts words them; the renderer reaches the engine only through charts/ and the contract).
 */
export { crossoverWording, isLevel, plainAnswer, sizeVerdict, type PlainAnswer } from '../analysis/plain-answer.js';
