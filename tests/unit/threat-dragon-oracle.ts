/**
 * What Threat Dragon would do, restated for tests independently of our rule table.
 */

/**
 * Threat Dragon's context rules: which fire on which properties (learned from
 * td.vue/src/service/threats/oats/context-generator.js), as its rule ids, per element.
 */
export const TD = {
  captchaDefeat: '5b0d4c4e-8245-4bea-a2ad-cf0be0a441f5',
  credentialStuffing: 'da483c51-1891-46ac-8453-6b1706b2a3d6',
  useEncryption: '021ab22d-8d51-4501-9bb8-6dabf9c27f0d',
  vulnerableTransport: 'ff2fca4d-dedf-46f2-b9ac-aed70055bb4d',
  fingerprinting: 'f5f817d5-a067-4415-a40a-b500cb2ab9ad',
  leastPrivilege: '6463e063-e7c5-4305-9d8d-0c8e978ab86b',
  expedition: 'ea1adb4d-097d-45a8-8e48-b728a996f487',
  vulnerabilityScanning: 'd97bcb80-f96d-44af-869a-d0441761be05',
  denialOfService: 'ce2fe37e-0742-4278-8915-40dc2226150e',
  carding: '6cc27f83-ae03-4589-8e9b-24d4c2d4d8cd',
  cardCracking: '505afd31-7b3f-4733-b91c-71abb488d2eb',
  cashingOut: 'c7b098d3-34df-432a-ad52-8f10c4ef6b07',
  footprinting: '20527bee-aae7-4593-acac-7a07169ccc4f',
  scalping: 'c50e8d53-5e0a-45e7-8c69-be92492ad7dc',
  sniping: 'd6d15882-15d5-4da1-88a5-dc3eae0b4a64',
  denialOfInventory: '7403fdb4-9d89-4fb7-be5c-c37ce142af5e',
  scraping: '80f32309-4f8a-4676-993b-7a37cbf62df1',
  skewing: '40aee5ad-37ff-4c70-91d4-9ab6d91d1463',
  spamming: 'fe90a897-3ff2-47a5-94db-2a4d6f17bb57',
  credentialCracking: 'dc09cecf-cb06-455d-9e77-b9372bf6c8eb',
  accountCreation: 'd960d589-80da-41dc-a7c2-33136bdda7e0',
  accountAggregation: '7b1c36b3-104a-4d82-97bb-a64c12284641',
  couponCracking: '3853aaed-f262-4310-98df-484c5ef6609a',
  weakEncryption: '4fb623f6-2896-4209-8689-ff1b8a932105',
  weakCryptography: '034095d9-9012-4cb5-a7a8-1e19ab72bba3',
  logSensitive: '7942656e-51dd-4b15-a38d-deab704878e1',
};

/** Threat Dragon's conditions, written independently of our rules (its property names). */
export function threatDragonWouldFire(shape: string, p: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (shape === 'actor' && p.providesAuthentication)
    out.push(TD.captchaDefeat, TD.credentialStuffing);
  if (shape === 'flow') {
    if (p.isPublicNetwork && !p.isEncrypted) out.push(TD.useEncryption);
    if (p.isEncrypted) out.push(TD.vulnerableTransport);
    if (p.isPublicNetwork) out.push(TD.fingerprinting);
  }
  if (shape === 'process') {
    if (p.privilegeLevel) out.push(TD.leastPrivilege);
    out.push(TD.expedition, TD.vulnerabilityScanning, TD.denialOfService);
    if (p.handlesCardPayment) out.push(TD.carding, TD.cardCracking, TD.cashingOut);
    if (p.isWebApplication) out.push(TD.footprinting);
    if (p.handlesGoodsOrServices) out.push(TD.scalping, TD.sniping, TD.denialOfInventory);
  }
  if (shape === 'store') {
    out.push(TD.scraping, TD.skewing, TD.spamming);
    if (p.storesCredentials)
      out.push(TD.credentialCracking, TD.accountCreation, TD.accountAggregation);
    if (p.storesInventory) out.push(TD.couponCracking, TD.scalping);
    if (p.isEncrypted) out.push(TD.weakEncryption);
    if (p.isSigned) out.push(TD.weakCryptography);
    if (p.isALog) out.push(TD.logSensitive);
  }
  return out;
}

/** Threat Dragon property → ours (the test's own copy: the mapping is part of what is tested). */
export const OURS: Record<string, string> = {
  providesAuthentication: 'provides_authentication',
  isPublicNetwork: 'public_network',
  isEncrypted: 'encrypted',
  isBidirectional: 'bidirectional',
  privilegeLevel: 'privilege_level',
  handlesCardPayment: 'handles_card_payment',
  isWebApplication: 'is_web_application',
  handlesGoodsOrServices: 'handles_goods_or_services',
  storesCredentials: 'stores_credentials',
  storesInventory: 'stores_inventory',
  isSigned: 'is_signed',
  isALog: 'is_a_log',
};
export const toOurs = (p: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [OURS[k]!, v]));
