// The model of one API Management service as the repository declares it. Everything the rules, the
// editor and the Azure layer need is here; nothing here knows how it was read (APIOps, apiops-cli,
// Bicep, bare specs).
import type { JsonPath, ParsedDocument } from './parse/document';
import type { PolicyXml } from './policy/xml';
import type { InputProblem } from './problems';
import type { OpenApiSpec, SpecOperation } from './spec/openapi';
import type { FileEdit, SourceLocation, Span } from './text';

/**
 * An APIM resource named relative to its service, as ARM names it below `.../service/{name}/`:
 * `apis/orders`, `apis/orders;rev=2/operations/get-order`, `products/starter`, `subscriptions/s1`,
 * `backends/b1`, `namedValues/nv`, `policyFragments/f`, `workspaces/w/apis/orders` for a workspace's
 * resources, or `service` for the service itself.
 */
export type ResourceId = string;

export type RepositoryLayout = 'apiops' | 'apiops-cli' | 'bicep' | 'terraform' | 'arm' | 'specs-only';

/** What declared an API: an APIOps export, infrastructure code, or a bare OpenAPI file (specs-only). */
export type ApiSource = 'apiops' | 'bicep' | 'terraform' | 'arm' | 'spec';

/** Where a resource is declared, and how to find one of its properties there. */
export interface Declaration {
  file: string;
  /** The whole declaration (the JSON file's root object, the Bicep resource block, the spec). */
  span: Span;
  /** The parsed JSON declaration (APIOps information files), when the file is JSON: fixes edit it. */
  document?: ParsedDocument;
  /** Where the resource's properties live inside `document` (`['properties']` for APIOps files). */
  propertiesPath?: JsonPath;
  /** The location of a property (`['protocols']`), or of the declaration when the property is not written. */
  locate(property: JsonPath): SourceLocation;
  /**
   * Sets (`undefined` removes) properties, named as ARM names them, where a declaration that is not a
   * JSON document (Bicep, Terraform) writes them; undefined when a value is not written literally.
   * Fixes go through `setDeclaredProperties`, which uses this or edits the JSON document.
   */
  editProperties?(changes: readonly (readonly [JsonPath, unknown])[]): FileEdit | undefined;
}

/** A value read from a declaration, with where it is written (absent when APIM's default applies). */
export interface Declared<T> {
  value: T;
  location: SourceLocation;
}

/** A policy document attached to a scope. */
export interface PolicyAttachment {
  file: string;
  xml: PolicyXml;
  /** Set when the policy is a string inside a deployment file (ARM, Bicep, Terraform), not a file of its own. */
  inline?: InlinePolicy;
}

/**
 * A policy written in a string: text inserted into it must be escaped the string's way. `computed`
 * when it is not one literal written as it is (an expression, an interpolated string): never edited.
 */
export type InlinePolicy =
  | { syntax: 'computed' }
  | {
      syntax: 'json' | 'bicep' | 'bicep-multiline' | 'terraform-heredoc';
      /** The policy as its own text, and the offset in the file of each of its characters (an escape is several there). */
      text: string;
      offsets: readonly number[];
      /** Where the string's content ends in the file. */
      end: number;
    };

export interface ApimService {
  root: string;
  layout: RepositoryLayout;
  /** The global (service-scope) policy. */
  policy?: PolicyAttachment;
  /** A policy declared for this scope that could not be read (an input problem says why): not known, which is not absent. */
  unreadPolicy?: SourceLocation;
  apis: ApiResource[];
  products: ProductResource[];
  subscriptions: SubscriptionResource[];
  backends: BackendResource[];
  namedValues: NamedValueResource[];
  fragments: FragmentResource[];
  versionSets: VersionSetResource[];
  /** APIM workspaces; their resources are in the lists above, each naming its workspace. */
  workspaces: WorkspaceResource[];
  /** Files that could not be read, parsed or resolved. */
  problems: InputProblem[];
  /** Every file the reader looked at, for the report and the output channel. */
  filesRead: string[];
  /** What the reading took for granted where no file says (a specs-only repository: APIM's defaults), for every report to show. */
  assumptions: string[];
  /** What only the deployed service and Defender know; absent when working from files alone. */
  deployment?: DeploymentFacts;
}

/**
 * Facts no file can tell (the Defender for APIs plan, onboarding, inactive operations): filled in from Azure or from a
 * snapshot of it, and merged with the predictions by the Azure layer.
 */
export interface DeploymentFacts {
  /** Defender for APIs plan (`Microsoft.Security/pricings/Api`) is on the Standard tier. */
  defenderForApisEnabled?: boolean;
  /** Names of the local APIs mapped to a deployed API: onboarding and traffic are known for those only. */
  deployedApis?: string[];
  /** Names of the APIs that have an `apiCollections` resource (onboarded to Defender for APIs). */
  onboardedApis?: string[];
  /** Operations without traffic for 30 days. */
  inactiveOperations?: ResourceId[];
}

/**
 * A resource that may belong to an APIM workspace: then it sees only its workspace's products,
 * fragments and named values, and its policies run below the workspace's policy.
 */
export interface WorkspaceMember {
  /** The workspace's name; absent for the service's own resources. */
  workspace?: string;
}

/** An APIM workspace (`workspaces/<ws>` in APIOps v7): a scope of its own between the service and its APIs. */
export interface WorkspaceResource {
  id: ResourceId;
  name: string;
  displayName?: string;
  /** The workspace-scope policy: it runs between the global policy and the product's. */
  policy?: PolicyAttachment;
  /** A policy declared for this scope that could not be read (an input problem says why): not known, which is not absent. */
  unreadPolicy?: SourceLocation;
  /** `workspaceInformation.json`, or the infrastructure code's workspace resource, when there is one. */
  declaration?: Declaration;
}

export interface ApiResource extends WorkspaceMember {
  id: ResourceId;
  /** APIM API name, with `;rev=N` for non-current revisions. */
  name: string;
  displayName?: string;
  /** URL suffix after the gateway host. */
  path?: string;
  /** `http` (REST, the default), `soap`, `graphql`, `websocket`, ... */
  type: string;
  /** Which reader declared it: a repository may mix APIOps and infrastructure code, and coverage counts each. */
  source: ApiSource;
  revision?: string;
  isCurrent?: boolean;
  apiVersion?: string;
  versionSetId?: string;
  serviceUrl?: string;
  protocols?: Declared<string[]>;
  /** Absent means APIM's default: a subscription key is required. */
  subscriptionRequired?: Declared<boolean>;
  declaration: Declaration;
  /** The OpenAPI definition, when the API has one that could be read. */
  spec?: OpenApiSpec;
  /** Any definition file (OpenAPI, GraphQL, WSDL, WADL), read or not. */
  definitionFile?: string;
  policy?: PolicyAttachment;
  /** A policy declared for this scope that could not be read (an input problem says why): not known, which is not absent. */
  unreadPolicy?: SourceLocation;
  operations: OperationResource[];
  /** Names of the products the API belongs to. */
  productNames: string[];
  /** Its APIM tags (shared by every revision); absent when its layout has no tags (a spec alone), which is not "none". */
  tags?: ApiTag[];
}

/** An APIM tag on an API: `tags/<name>`, with the display name its tag resource declares. */
export interface ApiTag {
  name: string;
  displayName?: string;
}

export interface OperationResource {
  id: ResourceId;
  /** APIM operation name (OpenAPI operationId, or the APIOps folder name). */
  name: string;
  method?: string;
  urlTemplate?: string;
  specOperation?: SpecOperation;
  policy?: PolicyAttachment;
  /** A policy declared for this scope that could not be read (an input problem says why): not known, which is not absent. */
  unreadPolicy?: SourceLocation;
  /** The best place to show the operation: the spec operation, else its policy file, else the API declaration. */
  location: SourceLocation;
}

export interface ProductResource extends WorkspaceMember {
  id: ResourceId;
  name: string;
  displayName?: string;
  subscriptionRequired?: Declared<boolean>;
  state?: string;
  apiNames: string[];
  policy?: PolicyAttachment;
  /** A policy declared for this scope that could not be read (an input problem says why): not known, which is not absent. */
  unreadPolicy?: SourceLocation;
  declaration: Declaration;
}

export interface SubscriptionResource extends WorkspaceMember {
  id: ResourceId;
  name: string;
  displayName?: string;
  /** `/apis`, `/apis/{api}`, `/products/{product}` (ARM ids are accepted too). */
  scope?: Declared<string>;
  state?: Declared<string>;
  declaration: Declaration;
}

export interface BackendResource extends WorkspaceMember {
  id: ResourceId;
  name: string;
  url?: string;
  protocol?: string;
  validateCertificateChain?: Declared<boolean>;
  validateCertificateName?: Declared<boolean>;
  /** Client certificates or authorization header/query credentials are configured; 'unknown' when the files do not determine them. */
  hasCredentials: boolean | 'unknown';
  declaration: Declaration;
}

export interface NamedValueResource extends WorkspaceMember {
  id: ResourceId;
  name: string;
  displayName?: string;
  secret?: Declared<boolean>;
  keyVaultSecretIdentifier?: string;
  /** True when a value is written in the repository (a secret in git, for secret named values). */
  hasValue: boolean;
  declaration: Declaration;
}

export interface FragmentResource extends WorkspaceMember {
  id: ResourceId;
  name: string;
  policy?: PolicyAttachment;
  declaration: Declaration;
}

export interface VersionSetResource extends WorkspaceMember {
  id: ResourceId;
  name: string;
  displayName?: string;
  versioningScheme?: string;
  declaration: Declaration;
}
