/** The Node flags a program's first line asks for (`#!/usr/bin/env -S node <flags>`). */
export function nodeFlagsOf(file: string): string[]
