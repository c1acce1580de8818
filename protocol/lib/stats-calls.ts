// Calls about resource use: per-container and host stats, streamed (filled in by the stats work).
export const statsCalls = {} as const
