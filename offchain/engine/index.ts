// The test engine, a stand-in for vLLM: an OpenAI-compatible server with deterministic text and exact usage.
export {
    TestEngine,
    MAX_REQUEST_BYTES,
    MODEL_CREATED,
    MODEL_OWNER,
    type EngineBehaviour,
    type TestEngineOptions,
    type RecordedRequest,
} from './testEngine';
export { EngineHttpError } from './errors';
export { NATURAL_LENGTH, TOOL_CALL_TOKENS, MAX_COMPLETION_TOKENS, type EnginePath } from './plan';
export { VOCABULARY, answerWords, countWords, promptTokens, directives, type Directives } from './text';
