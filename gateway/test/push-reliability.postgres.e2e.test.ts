import { describeReliabilitySuite } from './push-reliability.suite';

describeReliabilitySuite('postgres');
