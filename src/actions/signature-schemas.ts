import { Type } from '@sinclair/typebox';
import { actionAnswer, bool, id, idList, int, text } from './schema-kit.ts';

/* Request and answer schemas of CreateUSMSSignature, QueryUSMSSignature, UpdateUSMSSignature, DeleteUSMSSignature. */

/** Certificates are base64 of at most 4 MB. */
const file = (description: string) => text(`${description}, base64 of at most 4 MB`, 5_600_000);
const name = (wording: string) => text(`the signature / sender name (${wording} wording); SigContent or SenderId is required to create one`, 64);
const fields = {
  SigContent: Type.Optional(name('UCloud')),
  SenderId: Type.Optional(name('uSpeedo')),
  SigType: Type.Optional(int('0 company, 1 app, 2 website, 3 official account / mini program, 4 trademark, 5 government / public institution', 0, 5)),
  SigPurpose: Type.Optional(int('0 own use, 1 used for a third party', 0, 1)),
  CertificateType: Type.Optional(int('type of the certificate in File', 0, 5)),
  Description: Type.Optional(text('a note for the reviewer', 128)),
  International: Type.Optional(bool('whether the signature is for numbers outside mainland China')),
  File: Type.Optional(file('the certificate')),
  ProxyFile: Type.Optional(file('the authorisation letter, for SigPurpose 1')),
};

export const createSignatureParams = Type.Object(fields);
export const createSignatureAnswer = actionAnswer('CreateUSMSSignature', {
  SigId: Type.Optional(Type.String()),
  SigContent: Type.Optional(Type.String()),
  SenderId: Type.Optional(Type.String()),
});

export const querySignatureParams = Type.Object({
  SigId: Type.Optional(id('the signature to read; or give its SigContent / SenderId')),
  SigContent: Type.Optional(name('UCloud')),
  SenderId: Type.Optional(name('uSpeedo')),
});
export const querySignatureAnswer = actionAnswer('QueryUSMSSignature', {
  Data: Type.Optional(
    Type.Object({
      SigId: Type.String(),
      SigContent: Type.Optional(Type.String()),
      SenderId: Type.Optional(Type.String()),
      Status: Type.Integer({ description: '0 draft, 1 under review, 2 approved, 3 rejected, 4 disabled' }),
      ErrDesc: Type.String(),
    }),
  ),
});

export const updateSignatureParams = Type.Object({ SigId: id('a signature that is not approved yet'), ...fields });
export const updateSignatureAnswer = actionAnswer('UpdateUSMSSignature', {});

export const deleteSignatureParams = Type.Object({
  SigIds: Type.Optional(idList('signatures to delete, all or nothing (SigId is accepted too)', 100)),
  SigId: Type.Optional(idList('same as SigIds', 100)),
});
export const deleteSignatureAnswer = actionAnswer('DeleteUSMSSignature', {});
