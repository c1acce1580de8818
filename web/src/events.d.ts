// The browser build uses the `events` package (Node's EventEmitter API); Node's own types are not
// loaded in the web project, so this declares the part the protocol client uses.
declare module 'events' {
  export class EventEmitter {
    on(event: string, listener: (...args: any[]) => void): this
    once(event: string, listener: (...args: any[]) => void): this
    off(event: string, listener: (...args: any[]) => void): this
    emit(event: string, ...args: unknown[]): boolean
    removeAllListeners(event?: string): this
  }
}
