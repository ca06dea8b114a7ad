// The Function App behind the orders API: public, no access restriction, no App Service authentication.
param location string = resourceGroup().location
param planId string

resource ordersFunc 'Microsoft.Web/sites@2023-12-01' = {
  name: 'func-contoso-orders'
  location: location
  kind: 'functionapp,linux'
  tags: {
    'azd-service-name': 'orders'
  }
  properties: {
    serverFarmId: planId
    httpsOnly: true
  }
}
