/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** A character of the film. */
export type CharacterInput = {
  /** Who plays them, when known. */
  actor?: ReferenceInput | null | undefined;
  /** Who they are and what they do in the story. */
  description: string;
  /** Global id of a character of this film to keep (updates only). */
  id?: string | number | null | undefined;
  /** Name. */
  name: string;
};

/** A company's part in the film. */
export type CompanyCreditInput = {
  /** The company. */
  company: ReferenceInput;
  /** What it did. */
  role: CompanyRole;
};

/** What a company did for a film. */
export type CompanyRole =
  /** Distributed the film. */
  | 'DISTRIBUTION'
  /** Produced ("made") the film. */
  | 'PRODUCTION';

/** A person's credit other than directing or acting. */
export type CreditInput = {
  /** The person. */
  person: ReferenceInput;
  /** What they did (directors go in `directors`). */
  role: CreditRole;
};

/** What a person did on a film. */
export type CreditRole =
  /** Director of photography. */
  | 'CINEMATOGRAPHER'
  /** Composed the score. */
  | 'COMPOSER'
  /** Directed the film. */
  | 'DIRECTOR'
  /** Edited the film. */
  | 'EDITOR'
  /** Produced the film. */
  | 'PRODUCER'
  /** Wrote the screenplay. */
  | 'WRITER';

/** A place where the story is set. */
export type LocationInput = {
  /** Global id of a location of this film to keep (updates only). */
  id?: string | number | null | undefined;
  /** Place name. */
  name: string;
};

/** Which films to list; every field given must hold. */
export type MovieFilterInput = {
  /** The name of a place the film is set in (case-insensitive). */
  location?: string | null | undefined;
  /** The slug of a person who acted in the film or is credited on it (directed, wrote, ...). */
  person?: string | null | undefined;
  /** Released in or after this year. */
  releaseYearFrom?: number | null | undefined;
  /** Released in or before this year. */
  releaseYearTo?: number | null | undefined;
  /** The name of one of the film's themes (case-insensitive). */
  theme?: string | null | undefined;
  /** The title contains this text (case-insensitive). */
  titleContains?: string | null | undefined;
};

/** A whole film, for `createMovie`. Lists are in page order. */
export type MovieInput = {
  /** Characters. */
  characters?: Array<CharacterInput>;
  /** Companies and their part. */
  companies?: Array<CompanyCreditInput>;
  /** Other credits (writer, producer, ...). */
  credits?: Array<CreditInput>;
  /** Directors. */
  directors?: Array<ReferenceInput>;
  /** The period the story spans. */
  period?: PeriodInput | null | undefined;
  /** Plot paragraphs. */
  plot?: Array<string>;
  /** Year of first release (1888 to next year + 5). */
  releaseYear: number;
  /** Page sections. */
  sections?: Array<SectionInput>;
  /** Where the story takes place. */
  setting?: SettingInput | null | undefined;
  /** URL key; derived from the title when omitted. */
  slug?: string | null | undefined;
  /** Themes. */
  themes?: Array<ThemeInput>;
  /** Display title. */
  title: string;
};

/** The years a story spans. */
export type PeriodInput = {
  /** What the period meant for the story. */
  description?: string | null | undefined;
  /** Last year (not before the first). */
  endYear?: number | null | undefined;
  /** First year. */
  startYear?: number | null | undefined;
};

/**
 * An existing person or company by `id` or `slug`, or a new one by `name` (with a `slug` of
 * its own when the name's slug is taken).
 */
export type ReferenceInput = {
  /** Global id of an existing one. */
  id?: string | number | null | undefined;
  /** Name of a new one. */
  name?: string | null | undefined;
  /** Slug of an existing one; with `name`, the slug a new one gets when none has it. */
  slug?: string | null | undefined;
};

/** A titled section of the film page. */
export type SectionInput = {
  /** Text. */
  body: string;
  /** Global id of a section of this film to keep (updates only). */
  id?: string | number | null | undefined;
  /** Heading. */
  title: string;
};

/** Where a story takes place. */
export type SettingInput = {
  /** Prose about the places. */
  description?: string | null | undefined;
  /** The places, in order. */
  locations?: Array<LocationInput>;
};

/** A theme of the film. */
export type ThemeInput = {
  /** What the film does with it. */
  description: string;
  /** Exactly one emoji. */
  emoji: string;
  /** Global id of a theme of this film to keep (updates only). */
  id?: string | number | null | undefined;
  /** Short name. */
  name: string;
};

export type FilmBySlugQueryVariables = Exact<{
  slug: string;
}>;


export type FilmBySlugQuery = { movie: { id: string, title: string } | null };

export type FilmsPageSizeQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type FilmsPageSizeQuery = { movies: { edges: Array<{ cursor: string }> } };

export type CreateFilmMutationVariables = Exact<{
  input: MovieInput;
}>;


export type CreateFilmMutation = { createMovie: { id: string, slug: string, title: string, releaseYear: number, version: number } };

export type FilmTitleQueryVariables = Exact<{
  slug: string;
}>;


export type FilmTitleQuery = { movie: { id: string, slug: string, title: string, releaseYear: number } | null };

export type CreateFilmForPagingMutationVariables = Exact<{
  input: MovieInput;
}>;


export type CreateFilmForPagingMutation = { createMovie: { id: string, slug: string } };

export type FilmsPageQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: MovieFilterInput | null | undefined;
}>;


export type FilmsPageQuery = { movies: { pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, slug: string, title: string } }> } };

export type FilmPageQueryVariables = Exact<{
  slug: string;
}>;


export type FilmPageQuery = { movie: { title: string, releaseYear: number, plot: Array<string>, directors: Array<{ name: string }>, credits: Array<{ role: CreditRole, person: { name: string } }>, period: { startYear: number | null, endYear: number | null } | null, themes: Array<{ emoji: string, name: string }> } | null };


export const FilmBySlugDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FilmBySlug"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"movie"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]} as unknown as DocumentNode<FilmBySlugQuery, FilmBySlugQueryVariables>;
export const FilmsPageSizeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FilmsPageSize"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"movies"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}}]}}]}}]}}]} as unknown as DocumentNode<FilmsPageSizeQuery, FilmsPageSizeQueryVariables>;
export const CreateFilmDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateFilm"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MovieInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createMovie"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"publish"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"releaseYear"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<CreateFilmMutation, CreateFilmMutationVariables>;
export const FilmTitleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FilmTitle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"movie"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"releaseYear"}}]}}]}}]} as unknown as DocumentNode<FilmTitleQuery, FilmTitleQueryVariables>;
export const CreateFilmForPagingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateFilmForPaging"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MovieInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createMovie"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"publish"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}}]}}]}}]} as unknown as DocumentNode<CreateFilmForPagingMutation, CreateFilmForPagingMutationVariables>;
export const FilmsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FilmsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"MovieFilterInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"movies"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]}}]}}]} as unknown as DocumentNode<FilmsPageQuery, FilmsPageQueryVariables>;
export const FilmPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FilmPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"movie"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"releaseYear"}},{"kind":"Field","name":{"kind":"Name","value":"plot"}},{"kind":"Field","name":{"kind":"Name","value":"directors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"credits"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"role"},"value":{"kind":"EnumValue","value":"WRITER"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"person"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"period"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startYear"}},{"kind":"Field","name":{"kind":"Name","value":"endYear"}}]}},{"kind":"Field","name":{"kind":"Name","value":"themes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<FilmPageQuery, FilmPageQueryVariables>;