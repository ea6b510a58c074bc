import { buildSchema, isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../graphql/typeDefs.js';
import { ErrorCode, Reason } from './codes.js';

describe('the error vocabulary', () => {
  const schema = buildSchema(loadTypeDefs());
  const values = (name: string) => {
    const t = schema.getType(name);
    if (!isEnumType(t)) throw new Error(`${name} is not an enum`);
    return t.getValues().map((v) => v.name).sort();
  };

  it('documents exactly the codes of ErrorCode as enum ErrorCode', () => {
    expect(values('ErrorCode')).toEqual(Object.keys(ErrorCode).sort());
  });

  it('documents exactly the reasons of Reason as enum ErrorReason, each with a description', () => {
    expect(values('ErrorReason')).toEqual(Object.keys(Reason).sort());
    const t = schema.getType('ErrorReason');
    if (!isEnumType(t)) throw new Error('not an enum');
    for (const v of t.getValues()) expect(v.description, v.name).toMatch(/\S/);
  });
});
