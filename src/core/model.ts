// The model of one API Management service as the repository declares it. Everything the rules, the
// editor and the Azure layer need is here; nothing here knows how it was read (APIOps, apiops-cli,
// Bicep, bare specs).
import type { AzureBackendsRead } from './backends/azureFacts';
import type { BackendKind, BackendResourceFacts } from './backends/resolve';
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

/** The API a resource id is of or below (`apis/orders` of `apis/orders/operations/get`, a workspace's too), or undefined. */
export function apiIdOf(resource: ResourceId): ResourceId | undefined {
  return /^((?:workspaces\/[^/]+\/)?apis\/[^/]+)/.exec(resource)?.[1];
}

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
  /** The Function Apps and Logic Apps the repository holds the code of (read into the first service only). */
  hosted?: HostedCode;
  /** What the scanned folder's infrastructure code declares that a backend may be (read once per scan, shared by every service). */
  declaredApps?: readonly DeclaredApp[];
}

/**
 * A resource a backend URL may name (a site, a container app, a workflow, an account), as the
 * infrastructure code of the scanned folder declares it (Bicep, Terraform, ARM): the one place where
 * the backend resolver and the gateway bypass look a backend up.
 */
export interface DeclaredApp {
  kind: BackendKind;
  /** The type as written: `Microsoft.Web/sites`, `azurerm_linux_function_app`. */
  type: string;
  /** How other code refers to it: a Bicep resource or module symbol, a Terraform address (`azurerm_linux_function_app.orders`). */
  symbol?: string;
  /** Its name, when the files determine it. */
  name?: string;
  /** ARM: the name as written (`[parameters('siteName')]`), which `resourceId(...)` elsewhere in the template repeats. */
  nameText?: string;
  location: SourceLocation;
  /** What the declaration says about reaching it; absent when its body is not read (`unread` says why). */
  facts?: BackendResourceFacts;
  unread?: string;
  /** A Function App or Logic App (Standard): the site that hosted code is mapped to. */
  site?: HostedAppDeclaration;
  /** A Consumption workflow: the Request triggers of its definition. */
  requestTriggers?: Omit<HttpTrigger, 'id' | 'project'>[];
}

/** How an HTTP trigger admits calls by itself, before App Service authentication and the network. */
export type TriggerAccess =
  | 'anonymous' // anyone who reaches the URL
  | 'key' // a shared secret in the URL or a header: a function or host key, a Logic App's SAS signature
  | 'oauth' // a Logic App's Entra ID (OAuth) policy, with SAS turned off
  | 'unknown'; // computed in code, not known from the text

/** An HTTP endpoint a Function App or Logic App declares in its code. Defender for Cloud assesses each. */
export interface HttpTrigger {
  /** `sites/<app>/functions/<name>`, `sites/<app>/workflows/<workflow>/triggers/<name>`, or `workflows/<workflow>/triggers/<name>` (Consumption). */
  id: ResourceId;
  /** The function's name, or the workflow's and its trigger's (`orders/manual`). */
  name: string;
  host: 'function-app' | 'logic-app';
  access: TriggerAccess;
  /** The level as the code writes it (`anonymous`, `function`, `AuthorizationLevel.Admin`, `SAS`), or the expression that computes it. */
  authLevel: string;
  /** Why `access` holds where the code does not write a level: the default that applies. */
  defaulted?: string;
  route?: string;
  /** The level's value when written; else the trigger's name (or its type, in JSON). */
  location: SourceLocation;
  /** The folder of the project the trigger belongs to (the one holding host.json, else the file's). */
  project: string;
}

/** An App Service site (Function App, Logic App Standard) declared by infrastructure code. */
export interface HostedAppDeclaration {
  /** The site's name, when the files determine it. */
  name?: string;
  /** How the name is written when the files do not determine it. */
  nameExpression?: string;
  /** The name infrastructure code refers to it by (a Bicep symbol, a Terraform address): `${api.properties.defaultHostName}`. */
  symbol?: string;
  kind: 'function-app' | 'logic-app';
  location: SourceLocation;
  /** The value of its `azd-service-name` tag: which service of azure.yaml deploys to it. */
  azdServiceName?: string;
  /** App Service authentication turned on and rejecting unauthenticated calls ('unknown' when the files do not say). */
  requiresAuthentication: boolean | 'unknown';
  /** Public network access; Azure's default is enabled. */
  publicNetworkAccess: boolean | 'unknown';
  /** Inbound access restrictions (IP or service tag rules) are declared. */
  accessRestricted: boolean | 'unknown';
  /** A private endpoint in the files points at it. */
  privateEndpoint: boolean | 'unknown';
}

/** The code of one Function App or Logic App Standard project, and the app it is deployed to. */
export interface HostedProject {
  folder: string;
  triggers: HttpTrigger[];
  /** The app's name, when a mapping names it. */
  appName?: string;
  /** The app's declaration, when infrastructure code in the repository declares it. */
  app?: HostedAppDeclaration;
  /** How the code was mapped to its app, or why it was not. */
  mapping: string;
  /** Where the mapping is written (azure.yaml's service, the workflow step). */
  mappedAt?: SourceLocation;
}

export interface HostedCode {
  projects: HostedProject[];
  /** Every site declared, mapped to code or not. */
  apps: HostedAppDeclaration[];
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
  /** The Azure resources behind the deployed service's backends (Resource Graph, ARM), or why the snapshot does not tell them. */
  azureBackends?: AzureBackendsRead;
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
