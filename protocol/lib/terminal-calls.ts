// Calls about interactive sessions: the exec terminal and the docker CLI console (filled in by the
// terminal work).
export const terminalCalls = {} as const
