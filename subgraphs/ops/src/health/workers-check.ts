import type { HealthCheck } from '@docuvault/shared/health/index';
import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';

/** Workers register with BullMQ; none connected means uploads pile up unclassified. */
export function workersCheck(queue: ClassifyQueue): HealthCheck {
  return {
    component: 'classificationWorkers',
    measurement: 'connections',
    async run() {
      const workers = await queue.getWorkersCount();
      return workers === 0
        ? { status: 'warn', observedValue: 0, output: 'no classification worker is connected' }
        : { observedValue: workers };
    },
  };
}
