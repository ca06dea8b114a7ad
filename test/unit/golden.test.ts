// The findings on the two sample repositories, checked by hand against their files: the bundled
// Contoso sample (samples/README.md explains each case) and the Azure/apiops extractor sample.
import * as assert from 'assert';
import * as path from 'path';
import { scan } from '../../src/core/scan';

const ROOT = path.join(__dirname, '..', '..');

function graded(folder: string): string[] {
  return scan(folder)
    .findings.filter((finding) => finding.origin === 'predicted' && finding.severity !== 'info')
    .map((finding) => `${finding.ruleId} ${finding.resource} ${finding.severity}`)
    .sort();
}

describe('findings on the sample repositories', () => {
  it('samples/ (Contoso Outfitters) gives exactly the documented findings', () => {
    assert.deepStrictEqual(
      graded(path.join(ROOT, 'samples')),
      [
        'backend-authentication backends/catalog-app medium',
        'backend-certificate-validation backends/legacy-loyalty medium',
        'encrypted-protocols apis/store-locator high', // protocols: http, https
        'encrypted-protocols apis/store-locator high', // http:// server in the spec
        'endpoint-authentication apis/inventory/operations/adjust-stock high', // open product store-ops, check-header only
        'endpoint-authentication apis/inventory/operations/get-stock-level high',
        'endpoint-authentication apis/inventory/operations/list-stock-levels high',
        'endpoint-authentication apis/inventory/operations/list-warehouses high',
        'endpoint-authentication apis/loyalty/operations/get-member-by-phone medium', // validate-jwt only inside <choose>
        'endpoint-authentication apis/loyalty/operations/get-points-history medium',
        'endpoint-authentication apis/loyalty/operations/redeem-points medium',
        'endpoint-authentication apis/orders/operations/track-shipment high', // no <base /> cuts off the API's validate-jwt
        'endpoint-authentication apis/partners/operations/create-dropship-order high', // product validate-jwt does not run keyless
        'endpoint-authentication apis/partners/operations/get-product-feed high',
        'endpoint-authentication apis/partners/operations/get-stock-feed high',
        'endpoint-authentication apis/payments/operations/list-payment-methods high',
        'endpoint-authentication apis/product-graph high', // GraphQL, keyless, assessed as a whole
        'function-app-endpoint-authentication sites/func-contoso-orders/functions/create-order medium', // authLevel 'function': a key, no App Service authentication
        'function-app-endpoint-authentication sites/func-contoso-orders/functions/get-order high', // authLevel 'anonymous'
        'gateway-bypass apis/orders high', // validate-jwt at the gateway, serviceUrl func-contoso-orders.azurewebsites.net/api
        'gateway-bypass sites/func-contoso-orders/functions/get-order high', // /api/orders/{orderId}, public, no restriction
        'named-value-key-vault namedValues/loyalty-legacy-basic-auth medium',
        'sensitive-data-in-url apis/customers/operations/search-customers high', // ?email=
        'sensitive-data-in-url apis/loyalty/operations/get-member-by-phone high', // /members/{phoneNumber}
        'sensitive-data-in-url apis/payments/operations/get-saved-card high', // /cards/{cardNumber}
        'subscription-all-apis subscriptions/ops-monitoring-all-apis medium',
      ],
    );
  });

  it('samples/ classifies the bodies that carry sensitive data, and no others', () => {
    const classified = scan(path.join(ROOT, 'samples'))
      .findings.filter((finding) => finding.ruleId === 'sensitive-data-in-body')
      .map((finding) => `${finding.resource} ${(finding.properties?.informationTypes as string[]).join(',')}`)
      .sort();
    assert.deepStrictEqual(classified, [
      'apis/customers/operations/get-customer email,phone,date-of-birth,address',
      'apis/customers/operations/register-customer email,credentials,phone,date-of-birth,address',
      'apis/customers/operations/search-customers email,phone,date-of-birth,address',
      'apis/customers/operations/submit-health-declaration health',
      'apis/orders/operations/create-order address',
      'apis/orders/operations/get-order address',
      'apis/partners/operations/create-dropship-order address',
      'apis/payments/operations/create-payment payment-card',
      'apis/payments/operations/refund-payment bank-account',
    ]);
  });

  it('the Azure/apiops sample: keyless calls through the open product2 and unauthenticated backends', () => {
    // product2 requires no subscription, so its APIs take keyless calls (running product2's policy,
    // which only filters IPs), even versioned-api-v2 whose own subscriptionRequired is true.
    // product1 requires a key and its APIs do too: they are authenticated.
    assert.deepStrictEqual(graded(path.join(ROOT, 'test', 'fixtures', 'apiops-sample')), [
      'backend-authentication backends/backend1 medium',
      'backend-authentication backends/backend2 medium',
      'endpoint-authentication apis/graphql-api high',
      'endpoint-authentication apis/soap-api high',
      'endpoint-authentication apis/versioned-api-v2/operations/get-version-v2 high',
      'endpoint-authentication apis/wadl-api/operations/get-wadl-status high',
    ]);
    // Defender for APIs assesses REST APIs only: the GraphQL and SOAP findings are advice, and say so.
    const notAssessed = scan(path.join(ROOT, 'test', 'fixtures', 'apiops-sample'))
      .findings.filter((finding) => finding.properties?.assessedByDefenderForApis === false)
      .map((finding) => finding.resource);
    assert.deepStrictEqual(notAssessed.sort(), ['apis/graphql-api', 'apis/soap-api']);
  });
});
