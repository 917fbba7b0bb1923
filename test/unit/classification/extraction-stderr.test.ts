import { describe, expect, it } from '@jest/globals';
import { stderrWatch } from '@docuvault/documents/classification/text/extraction-process';

describe('the stderr of an extraction process', () => {
  it('remembers an out-of-memory line that the native stack trace after it pushes out of the tail', () => {
    const watch = stderrWatch();
    watch.add('<--- JS stacktrace --->\n\nFATAL ERROR: Committing semi space failed. ');
    watch.add('Allocation failed - JavaScript heap out of memory\n----- Native stack trace -----\n');
    for (let frame = 0; frame < 60; frame += 1) {
      watch.add(
        ` ${frame}: 0x1490848 v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace) [node]\n`,
      );
    }
    expect(watch.tail).not.toMatch(/out of memory/);
    expect(watch.outOfMemory).toBe(true);
  });

  it('finds the line when it arrives split across two chunks', () => {
    const watch = stderrWatch();
    watch.add('FATAL ERROR: Reached heap li');
    watch.add('mit Allocation failed\n');
    expect(watch.outOfMemory).toBe(true);
  });

  it('says nothing of memory for another crash', () => {
    const watch = stderrWatch();
    watch.add('Segmentation fault\n');
    expect(watch.outOfMemory).toBe(false);
    expect(watch.tail).toBe('Segmentation fault\n');
  });
});
