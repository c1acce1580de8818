// Calls about containers: list, live updates, actions, inspect, logs, exec (in progress).
export const containerCalls = {} as const
