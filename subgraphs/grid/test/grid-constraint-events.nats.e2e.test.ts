import { describeConstraintEvents } from './grid-constraint-events.suite';

describeConstraintEvents('nats');
