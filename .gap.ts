import { ArmEmulator, fixedTokenCredential } from './test/azure/emulator';
import { generatedEstate, subscriptionId } from './test/azure/fixtures';
import { loadDeployedState } from './src/core/azure/load';
(async () => {
  const emulator = await new ArmEmulator(generatedEstate({ subscriptions: 10, apisPerSubscription: 100, operationsPerApi: 1, unhealthyEvery: 7 })).start();
  const times: number[] = [];
  const orig = emulator.requests.push.bind(emulator.requests);
  emulator.requests.push = (...r) => { times.push(performance.now()); return orig(...r); };
  const agent = emulator.agent();
  const t = performance.now();
  await loadDeployedState(fixedTokenCredential(), Array.from({length:10},(_, i)=>subscriptionId(i)), { endpoint: emulator.endpoint, agent, concurrency: 32 });
  const end = performance.now();
  console.log('total', (end-t).toFixed(0), 'first', (times[0]-t).toFixed(0), 'last', (end - times[times.length-1]).toFixed(0));
  const gaps = times.map((x,i)=> i? [x-times[i-1], i] : [0,0]).sort((a,b)=>b[0]-a[0]).slice(0,8);
  console.log(gaps.map(([g,i])=>g.toFixed(0)+'ms before #'+i+' '+emulator.requests[i].method+' '+emulator.requests[i].path.slice(-60)));
  agent.destroy(); await emulator.stop();
})();
