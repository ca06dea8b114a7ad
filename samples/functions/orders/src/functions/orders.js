const { app } = require('@azure/functions');

// The orders API of API Management sends its calls here (serviceUrl https://func-contoso-orders.azurewebsites.net/api)
// after validate-jwt; this function takes anyone's call straight from the internet as well.
app.http('get-order', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'orders/{orderId}',
  handler: async (request) => ({ jsonBody: { id: request.params.orderId } }),
});

// A function key: API Management's backend orders-func sends it (x-functions-key).
app.http('create-order', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'orders',
  handler: async (request) => ({ status: 201, jsonBody: await request.json() }),
});
