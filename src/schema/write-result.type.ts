// What an upstream answered to a write: shared by every upstream's write mutations.
import { Field, ID, Int, ObjectType, registerEnumType } from './type-graphql.js';

export enum WriteStatus {
  PROCESSED = 'PROCESSED',
  ALREADY_RECEIVED = 'ALREADY_RECEIVED',
}
registerEnumType(WriteStatus, {
  name: 'WriteStatus',
  description: 'How the upstream took a write.',
  valuesConfig: {
    PROCESSED: { description: 'Stored.' },
    ALREADY_RECEIVED: { description: 'The upstream already had exactly these values: nothing changed, nothing failed.' },
  },
});

@ObjectType('WriteResult', { description: 'What the upstream answered to a write.' })
export class WriteResultType {
  @Field(() => WriteStatus)
  status!: WriteStatus;

  @Field(() => String, { description: "The upstream's own message." })
  message!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The sensor written to; null where the upstream does not tell (v1_1 markets and weather sensors, which it resolves itself).',
  })
  sensorId!: string | null;

  @Field(() => Int, { description: 'Values sent, after upsampling.' })
  valuesSent!: number;

  @Field(() => Int, { description: 'Each value was repeated this many times to reach the sensor resolution (1: none).' })
  upsampledBy!: number;

  @Field(() => String, { description: 'The upstream API version that took the write, e.g. v3_0.' })
  apiVersion!: string;
}
