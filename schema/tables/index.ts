export * from './hub';
export * from './metering';
export * from './grid';
export * from './tariffs';
export * from './flexibility';
export * from './hems';
export * from './metering-readings';
