function Add-OfflineSeedAzureAccess {
    <#
    .SYNOPSIS
    Copies the Azure access parameters a cmdlet was given into the params of its engine request.

    .DESCRIPTION
    Every cmdlet that reaches Azure takes the same parameters (Environment, CredentialProfile, TenantId,
    ClientId, ClientSecret, CertificatePath, StorageAccessToken, StorageAccountKey, SasToken); this maps
    the ones that were bound to the engine's names (schemas/common/azureAccess.schema.json). SecureStrings
    stay SecureStrings: the bridge converts them only while writing the request. For a credential
    profile whose key is in the Windows certificate store, the client assertion is signed here
    (Get-OfflineSeedClientAssertion), since the engine cannot use a key that is not exportable.

    .PARAMETER Parameters
    The request params to add to.

    .PARAMETER BoundParameters
    The calling cmdlet's $PSBoundParameters.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [hashtable] $Parameters,

        [Parameter(Mandatory)]
        [System.Collections.IDictionary] $BoundParameters
    )

    $names = [ordered]@{
        Environment        = 'environment'
        CredentialProfile  = 'credentialProfile'
        TenantId           = 'tenantId'
        ClientId           = 'clientId'
        ClientSecret       = 'clientSecret'
        StorageAccessToken = 'storageAccessToken'
        StorageAccountKey  = 'storageAccountKey'
        SasToken           = 'sasToken'
    }
    foreach ($name in $names.Keys) {
        if ($BoundParameters.ContainsKey($name)) { $Parameters[$names[$name]] = $BoundParameters[$name] }
    }
    if ($BoundParameters.ContainsKey('CredentialProfile')) {
        $profileFile = ''
        if ($BoundParameters.ContainsKey('ProfilePath')) { $profileFile = Resolve-OfflineSeedPath -Path $BoundParameters['ProfilePath'] }
        $cloud = ''
        if ($BoundParameters.ContainsKey('Environment')) { $cloud = [string]$BoundParameters['Environment'] }
        $assertion = Get-OfflineSeedClientAssertion -Name $BoundParameters['CredentialProfile'] -ProfilePath $profileFile -Environment $cloud
        if ($null -ne $assertion) { $Parameters['clientAssertion'] = $assertion }
    }
    if ($BoundParameters.ContainsKey('CertificatePath')) {
        $Parameters['clientCertificatePath'] = Resolve-OfflineSeedPath -Path $BoundParameters['CertificatePath']
    }
}
